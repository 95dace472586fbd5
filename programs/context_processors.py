"""Page-wide settings of the visitor: elder mode (老年模式)."""


def preferences(request):
    return {"elder_mode": request.COOKIES.get("elder") == "1"}
