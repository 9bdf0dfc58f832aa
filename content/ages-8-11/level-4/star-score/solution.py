def game_score(coins, stars):
    score = coins + stars * 10
    if stars == 3:
        score = score + 50
    return score
