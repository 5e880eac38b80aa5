"""A user's contractor (外包单位): set on the admin's user forms, carried in the session's JSON."""


def test_an_admin_sets_and_clears_a_users_contractor(app, login_as, make_user):
    from server.auth.models import User
    from server.extensions import db

    admin = login_as("admin")
    assert 'name="company"' in admin.get("/admin/users/new").get_data(as_text=True)
    response = admin.post("/admin/users/new", data={
        "username": "liu", "display_name": "刘阿姨", "password": "correct-horse-9", "roles": ["rectifier"],
        "company": " 物业公司 "})
    assert response.status_code == 302
    with app.app_context():
        liu = db.session.scalar(db.select(User).where(User.username == "liu"))
        assert liu.company == "物业公司"
        user_id = liu.id
    admin.post(f"/admin/users/{user_id}", data={"display_name": "刘阿姨", "roles": ["rectifier"],
                                                "company": ""})
    with app.app_context():
        assert db.session.get(User, user_id).company == ""


def test_the_session_says_the_contractor(app, make_user, sign_in):
    liu = make_user(roles=("rectifier",), company="物业公司")
    assert sign_in(liu).get("/api/v1/session").get_json()["user"]["company"] == "物业公司"
