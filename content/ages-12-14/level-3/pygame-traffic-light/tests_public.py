from grading_service.grading.drawing import drawn
from solution import draw_lights


def picture_of(colours):
    draw_lights(colours)
    pic = drawn().picture
    assert pic is not None, (
        "There is no pygame screen. Make one inside draw_lights with "
        "pygame.display.set_mode((100, 200)), and don't call pygame.quit()."
    )
    return pic


def close_to(colour, want):
    return all(abs(a - b) <= 5 for a, b in zip(colour, want, strict=True))


def test_red_yellow_green():
    pic = picture_of([(255, 0, 0), (255, 255, 0), (0, 255, 0)])
    found = [pic.pixel(50, y) for y in (40, 90, 140)]
    want = [(255, 0, 0), (255, 255, 0), (0, 255, 0)]
    assert all(close_to(f, w) for f, w in zip(found, want, strict=True)), (
        f"The centres (50, 40), (50, 90) and (50, 140) are {found}, not {want}."
    )


def test_one_red_light_on_a_black_screen():
    pic = picture_of([(255, 0, 0)])
    assert (pic.width, pic.height) == (100, 200), (
        f"The screen is {pic.width} × {pic.height}, not 100 × 200."
    )
    corner, light, below = pic.pixel(0, 0), pic.pixel(50, 40), pic.pixel(50, 90)
    assert close_to(corner, (0, 0, 0)), f"The top-left corner is {corner}, not black."
    assert close_to(light, (255, 0, 0)), f"(50, 40) is {light}, not red."
    assert close_to(below, (0, 0, 0)), f"(50, 90) is {below}: with one light it stays black."
