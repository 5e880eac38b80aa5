"""Demo photos: small plausible JPEGs drawn with Pillow (a wall, a floor, the thing at fault).

A before photo shows the fault (a red mark, clutter); the after and recheck photos of the same hazard show the
same scene put right (a green mark). Each photo comes from its own seed, so the demo is the same on
every machine while no two hazards look alike.
"""

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 640, 480
BEFORE, AFTER, RECHECK = "before", "after", "recheck"

# The colour of the walls of each building (pale, as school walls are), and of the thing photographed per
# category: the eye tells a kitchen photo from a boiler-room one at thumbnail size.
WALLS = {
    "教学楼": (222, 228, 214), "学生宿舍楼": (232, 222, 206), "食堂": (236, 236, 236),
    "体育馆": (210, 220, 232), "操场": (150, 196, 230), "锅炉房": (180, 180, 176), "综合楼": (214, 214, 224),
    "校门": (160, 200, 235), "校园周边": (160, 200, 235),
}
SUBJECTS = {
    "building": (150, 120, 90), "food": (200, 200, 210), "electricity": (245, 245, 240),
    "fire": (200, 30, 30), "dormitory": (120, 140, 170), "sports": (200, 110, 60), "campus": (110, 110, 110),
    "equipment": (140, 150, 160), "other": (120, 160, 110),
}


def _shade(colour, rng: random.Random, spread: int = 18) -> tuple[int, int, int]:
    # Lighter or darker as a whole, with a little tint: a per-channel shift alone turns grey walls pink.
    shift = rng.randint(-spread, spread)
    return tuple(max(0, min(255, c + shift + rng.randint(-4, 4))) for c in colour)


def draw(seed: str, building: str, category: str, kind: str) -> bytes:
    """Return a 640x480 JPEG of a hazard's scene: before (the fault shown), or after and recheck (fixed)."""
    scene = random.Random(seed)  # noqa: S311 (a picture, not a secret) the same scene for one hazard's photos
    wall = _shade(WALLS.get(building, (220, 220, 220)), scene)
    floor = _shade((150, 140, 125), scene, 25)
    horizon = scene.randint(280, 360)
    img = Image.new("RGB", (WIDTH, HEIGHT), wall)
    pen = ImageDraw.Draw(img)
    pen.rectangle((0, horizon, WIDTH, HEIGHT), fill=floor)
    for x in range(scene.randint(0, 40), WIDTH, scene.randint(90, 160)):  # doors, pillars, windows
        pen.rectangle((x, horizon - scene.randint(120, 220), x + scene.randint(30, 60), horizon),
                      fill=_shade(wall, scene, 35))
    subject = _shade(SUBJECTS.get(category, (128, 128, 128)), scene)
    left, top = scene.randint(120, 320), scene.randint(120, horizon - 80)
    right, bottom = left + scene.randint(120, 220), min(HEIGHT - 20, top + scene.randint(100, 200))
    if scene.random() < 0.5:
        pen.rectangle((left, top, right, bottom), fill=subject, outline=(40, 40, 40), width=3)
    else:
        pen.ellipse((left, top, right, bottom), fill=subject, outline=(40, 40, 40), width=3)
    # The shot itself differs a little each time (a step to the side, other light).
    shot = random.Random(f"{seed}:{kind}")  # noqa: S311 (a picture, not a secret)
    if kind.startswith(BEFORE):
        for _ in range(shot.randint(3, 7)):  # clutter, a crack, a loose part
            x, y = shot.randint(left - 80, right + 40), shot.randint(horizon - 60, HEIGHT - 40)
            pen.rectangle((x, y, x + shot.randint(20, 70), y + shot.randint(15, 50)),
                          fill=_shade((150, 110, 70), shot, 40))
        pen.line([(left, top), (right, bottom), (left + 30, bottom - 20)], fill=(230, 60, 20), width=7)
        pen.ellipse((left - 25, top - 25, right + 25, bottom + 25), outline=(235, 40, 30), width=6)
    else:
        pen.line([(right - 70, bottom - 40), (right - 45, bottom - 15), (right - 5, bottom - 70)],
                 fill=(20, 160, 60), width=10)
    light = shot.uniform(0.85, 1.1)
    img = img.point(lambda v: min(255, int(v * light)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=shot.randint(72, 85))
    return out.getvalue()
