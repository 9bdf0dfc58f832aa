def passing_scores(scores, pass_mark):
    passed = []
    for score in scores:
        if score > pass_mark:
            passed.append(score)
    return passed
