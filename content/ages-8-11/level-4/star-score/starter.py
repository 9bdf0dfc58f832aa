def game_score(coins, stars):
    score = coins + stars * 10
    # Don't forget the bonus!
    return score
