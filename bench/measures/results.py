"""The measurements as the JSON's figures P1–P12 (value, goal, met, raw parts), and as text."""

from __future__ import annotations

from .common import GOALS, PAGE_QUERY_BUDGET, figure, ms, ratio
from .importing import IMPORT_VALUES


class Failed:
    """A measurement that raised: its figures become null with the error as the reason."""

    def __init__(self, error: Exception):
        self.reason = f"failed: {type(error).__name__}: {error}"[:1000]


def failed(key: str, *parts) -> dict | None:
    """The null figure of the first failed part, if any."""
    for part in parts:
        if isinstance(part, Failed):
            return figure(key, None, reason=part.reason)
    return None


NO_LARGE = "no --large-database-url given: the 10× province was not measured"


def p1(page: dict, large: dict | None) -> dict:
    within = page["queries"] <= PAGE_QUERY_BUDGET and (
        large is None or large["queries"] <= PAGE_QUERY_BUDGET
    )
    entry = figure(
        "P1",
        ratio(large["queries"], page["queries"]) if large else None,
        reason=NO_LARGE,
        queries_1x=page["queries"],
        queries_10x=large["queries"] if large else None,
        query_budget=PAGE_QUERY_BUDGET,
        within_budget=within,
    )
    if entry["met"] is not None:
        entry["met"] = entry["met"] and within
    return entry


def p2(page: dict, raw: dict) -> dict:
    return figure(
        "P2",
        ratio(page["seconds"], raw["seconds"]),
        page_ms=ms(page["seconds"]),
        raw_sql_ms=ms(raw["seconds"]),
        raw_rows=raw["rows"],
        raw_matches_page_figures=raw["same_figures"],
        page_samples_ms=page["samples_ms"],
    )


def p3(cached: dict) -> dict:
    return figure(
        "P3",
        ratio(cached["cached"], cached["trivial"]),
        cached_page_ms=ms(cached["cached"]),
        trivial_view_ms=ms(cached["trivial"]),
    )


def p4(page: dict, large: dict | None) -> dict:
    return figure(
        "P4",
        ratio(large["seconds"], page["seconds"]) if large else None,
        reason=NO_LARGE,
        page_1x_ms=ms(page["seconds"]),
        page_10x_ms=ms(large["seconds"]) if large else None,
        page_10x_samples_ms=large["samples_ms"] if large else None,
        children_1x=page["children"],
        children_10x=large["children"] if large else None,
        database_10x=large["database"] if large else None,
    )


def p5(refresh: dict) -> dict:
    return figure(
        "P5",
        ratio(refresh["refresh_all"], refresh["single_statement"]),
        refresh_all_s=round(refresh["refresh_all"], 3),
        single_statement_s=round(refresh["single_statement"], 3),
        rows=refresh["rows"],
        same_rows=refresh["same_rows"],
    )


def p7(app: dict, copy: dict, excel_path: dict | Failed | None = None) -> dict:
    per_value_app = app["seconds"] / app["values"] if app["values"] else None
    per_value_copy = copy["seconds"] / copy["values"] if copy["values"] else None
    per_value_excel = None
    if isinstance(excel_path, dict) and excel_path["values"]:
        per_value_excel = excel_path["seconds"] / excel_path["values"]
    return figure(
        "P7",
        ratio(per_value_app, per_value_copy),
        reason="no value could be imported (no reporter accounts?)",
        app_path="bulk API",
        app_values=app["values"],
        app_requests=app["requests"],
        app_s=round(app["seconds"], 3),
        app_ms_per_value=ms(per_value_app),
        app_s_for_100k=round(per_value_app * IMPORT_VALUES, 1) if per_value_app else None,
        extrapolated=app["values"] < IMPORT_VALUES,
        copy_values=copy["values"],
        copy_s=round(copy["seconds"], 3),
        copy_s_for_100k=round(per_value_copy * IMPORT_VALUES, 2) if per_value_copy else None,
        excel_values=excel_path["values"] if isinstance(excel_path, dict) else None,
        excel_files=excel_path["files"] if isinstance(excel_path, dict) else None,
        excel_ms_per_value=ms(per_value_excel),
        excel_ratio=ratio(per_value_excel, per_value_copy),
    )


def p8(listing: dict | None) -> dict:
    if listing is None:
        return figure("P8", None, reason="the route programs:report_list does not exist")
    return figure(
        "P8",
        ratio(listing["last"], listing["first"]),
        first_page_ms=ms(listing["first"]),
        last_page_ms=ms(listing["last"]),
        first_page_queries=listing["first_queries"],
        last_page_queries=listing["last_queries"],
        has_last_link=listing["has_last_link"],
    )


def p11(exports: dict, *, quick: bool) -> dict:
    big, small = exports["big"], exports["small"]
    return figure(
        "P11",
        ratio(big["max_rss_kib"], small["max_rss_kib"]),
        scaled_down=quick,
        big=big,
        small=small,
        big_max_rss_mib=round(big["max_rss_kib"] / 1024, 1),
        small_max_rss_mib=round(small["max_rss_kib"] / 1024, 1),
    )


def p12(approval: dict) -> dict:
    return figure(
        "P12",
        round(approval["seconds"], 3) if "seconds" in approval else None,
        reason=approval.get("reason", ""),
        **{k: v for k, v in approval.items() if k not in ("seconds", "reason")},
    )


def summary_text(result: dict) -> str:
    """The figures as lines a person reads: value, goal, met, and the times behind them."""
    lines = [
        f"Region {result['region']}, year {result['year']}, median of {result['repeat']}"
        f"{' (quick)' if result['quick'] else ''}; database {result['database']['name']} "
        f"({result['database']['progress_reports']:,} reports)",
    ]
    for key in GOALS:
        entry = result[key]
        state = {True: "met", False: "MISSED", None: "n/a"}[entry["met"]]
        value = "null" if entry["value"] is None else f"{entry['value']:g}"
        details = ", ".join(
            f"{name}={detail}"
            for name, detail in entry.items()
            if name not in ("value", "goal", "met") and not isinstance(detail, dict | list)
        )
        lines.append(f"{key:>4} {value:>8}  goal {entry['goal']:<7} {state:<7} {details}")
    return "\n".join(lines)
