def nav(request):
    return {}
