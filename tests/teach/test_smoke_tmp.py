from tests.conftest import csrf_token

def test_pages_render(app, instructor):
    for url in ["/teach/", "/teach/banks/", "/teach/banks/every-type/edit", "/teach/banks/every-type/history",
                "/teach/banks/every-type/questions/new", "/teach/banks/every-type/questions/new?type=match",
                "/teach/banks/every-type/questions/single-q/edit", "/teach/banks/every-type/questions/match-q/edit"]:
        r = instructor.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
    page = instructor.get("/teach/").get_data(as_text=True)
    r = instructor.post("/teach/classes", data={"csrf_token": csrf_token(page), "name": "History 101"})
    assert r.status_code == 302
    r = instructor.get(r.headers["Location"])
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    page = instructor.get("/teach/banks/every-type/edit").get_data(as_text=True)
    import re
    text = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html
    text = html.unescape(text)
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', page).group(1)
    for action in ["validate", "preview", "save"]:
        r = instructor.post("/teach/banks/every-type/edit", data={"csrf_token": csrf_token(page), "text": text.replace("Pick the capital", "Choose the capital"), "base": base, "action": action})
        assert r.status_code in (200, 302), (action, r.status_code, r.get_data(as_text=True)[-3000:])
    r = instructor.get("/teach/banks/every-type/history")
    assert "#" in r.get_data(as_text=True)
