import functools
import math

from grading_service.grading.drawing import drawn

SKY = "#87ceeb"  # (135, 206, 235)
SUN = "#ffff00"  # (255, 255, 0)
SUN_AREA = math.pi * 40 * 40  # about 5027 pixels


@functools.cache
def _picture():
    # The program drew once, when it ran: the picture is read from the sandbox once.
    return drawn().picture


def picture():
    pic = _picture()
    assert pic is not None, "There is no pygame screen (make one with set_mode)."
    return pic


def close_to(colour, want):
    return all(abs(a - b) <= 5 for a, b in zip(colour, want, strict=True))


def test_screen_size():
    pic = picture()
    assert (pic.width, pic.height) == (300, 200), (
        f"The screen is {pic.width} × {pic.height}, not 300 × 200."
    )


def test_all_four_corners_are_sky_blue():
    pic = picture()
    corners = [(0, 0), (pic.width - 1, 0), (0, pic.height - 1), (pic.width - 1, pic.height - 1)]
    colours = [pic.pixel(x, y) for x, y in corners]
    assert all(close_to(c, (135, 206, 235)) for c in colours), (
        f"The corners are {colours}, not all sky blue (135, 206, 235)."
    )


def test_the_middle_is_yellow():
    middle = picture().pixel(150, 100)
    assert close_to(middle, (255, 255, 0)), f"(150, 100) is {middle}, not yellow."


def test_the_sun_has_radius_40():
    yellow = picture().count(SUN)
    assert abs(yellow - SUN_AREA) <= 0.1 * SUN_AREA, (
        f"The sun has {yellow} yellow pixels. A circle of radius 40 has about "
        f"{round(SUN_AREA)}."
    )


def test_the_sun_is_centred():
    centre = picture().centre_of(SUN)
    assert centre is not None, "There are no yellow pixels."
    x, y = centre
    assert abs(x - 150) <= 2 and abs(y - 100) <= 2, (
        f"The sun's centre is at ({x:.0f}, {y:.0f}), not (150, 100)."
    )


def test_no_yellow_outside_the_sun():
    outside = [
        (x, y) for x, y in picture().matching(SUN) if math.hypot(x - 150, y - 100) > 42
    ]
    assert len(outside) == 0, (
        f"{len(outside)} yellow pixels are more than 40 from the middle, e.g. {outside[:3]}."
    )


def test_only_sky_and_sun():
    pic = picture()
    total = pic.width * pic.height
    sky_and_sun = pic.count(SKY) + pic.count(SUN)
    assert sky_and_sun >= 0.99 * total, (
        f"Only {sky_and_sun} of the {total} pixels are sky blue or yellow."
    )
