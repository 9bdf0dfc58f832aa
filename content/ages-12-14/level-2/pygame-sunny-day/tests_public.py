from grading_service.grading.drawing import drawn


def picture():
    pic = drawn().picture
    assert pic is not None, (
        "There is no pygame screen. Make one with pygame.display.set_mode((300, 200)) "
        "and don't call pygame.quit() at the end."
    )
    return pic


def test_a_300_by_200_sky_blue_screen():
    pic = picture()
    size = (pic.width, pic.height)
    assert size == (300, 200), f"The screen is {size[0]} × {size[1]}, not 300 × 200."
    corner = pic.pixel(0, 0)
    assert all(abs(a - b) <= 5 for a, b in zip(corner, (135, 206, 235), strict=True)), (
        f"The top-left corner is {corner}, not sky blue (135, 206, 235)."
    )


def test_a_yellow_sun_in_the_middle():
    pic = picture()
    assert (pic.width, pic.height) == (300, 200), "The screen should be 300 × 200."
    middle = pic.pixel(150, 100)
    assert all(abs(a - b) <= 5 for a, b in zip(middle, (255, 255, 0), strict=True)), (
        f"The middle of the screen, (150, 100), is {middle}, not yellow (255, 255, 0)."
    )
