import math

from grading_service.grading.drawing import drawn
from solution import draw_lights

LIGHT_AREA = math.pi * 20 * 20  # about 1257 pixels


def picture_of(colours):
    draw_lights(colours)
    pic = drawn().picture
    assert pic is not None, "There is no pygame screen (make one inside draw_lights)."
    return pic


def near(point, want):
    return point is not None and abs(point[0] - want[0]) <= 2 and abs(point[1] - want[1]) <= 2


def test_no_colours_gives_a_black_screen():
    pic = picture_of([])
    assert (pic.width, pic.height) == (100, 200), (
        f"The screen is {pic.width} × {pic.height}, not 100 × 200."
    )
    black = pic.count("#000000", tolerance=5)
    assert black == 100 * 200, f"Only {black} of the 20000 pixels are black."


def test_one_blue_light_at_the_top():
    pic = picture_of([(0, 0, 255)])
    blue = pic.count("#0000ff")
    assert abs(blue - LIGHT_AREA) <= 0.1 * LIGHT_AREA, (
        f"The light has {blue} pixels; a circle of radius 20 has about {round(LIGHT_AREA)}."
    )
    centre = pic.centre_of("#0000ff")
    assert near(centre, (50, 40)), f"The blue light is centred at {centre}, not (50, 40)."


def test_three_lights_in_order():
    pic = picture_of([(0, 255, 0), (255, 0, 255), (255, 0, 0)])
    centres = [pic.centre_of(c) for c in ("#00ff00", "#ff00ff", "#ff0000")]
    want = [(50, 40), (50, 90), (50, 140)]
    assert all(near(c, w) for c, w in zip(centres, want, strict=True)), (
        f"The lights are centred at {centres}, not {want}."
    )
    sizes = [pic.count(c) for c in ("#00ff00", "#ff00ff", "#ff0000")]
    assert all(abs(s - LIGHT_AREA) <= 0.1 * LIGHT_AREA for s in sizes), (
        f"The lights have {sizes} pixels; each should have about {round(LIGHT_AREA)}."
    )


def test_two_lights_leave_the_bottom_dark():
    pic = picture_of([(255, 255, 0), (0, 255, 255)])
    found = [pic.pixel(50, y) for y in (40, 90, 140)]
    assert found == [(255, 255, 0), (0, 255, 255), (0, 0, 0)], (
        f"(50, 40), (50, 90) and (50, 140) are {found}."
    )


def test_the_same_colour_three_times():
    pic = picture_of([(255, 255, 255)] * 3)
    white = pic.count("#ffffff")
    assert abs(white - 3 * LIGHT_AREA) <= 0.1 * 3 * LIGHT_AREA, (
        f"Three white lights have {white} pixels, not about {round(3 * LIGHT_AREA)}."
    )
    assert near(pic.centre_of("#ffffff"), (50, 90)), "The middle white light is not at (50, 90)."


def test_each_call_starts_a_new_picture():
    picture_of([(255, 0, 0), (255, 255, 0), (0, 255, 0)])
    pic = picture_of([(0, 0, 255)])
    others = pic.count("#ff0000") + pic.count("#ffff00") + pic.count("#00ff00")
    assert others == 0, f"{others} pixels of the earlier lights are still there."
    black = pic.count("#000000", tolerance=5)
    blue = pic.count("#0000ff")
    assert black + blue == 100 * 200, f"{100 * 200 - black - blue} pixels are not black or blue."
