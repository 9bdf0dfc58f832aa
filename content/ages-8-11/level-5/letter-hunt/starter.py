def count_letter(sentence, letter):
    count = 0
    for character in sentence:
        if character == letter:
            count = count + 1
    return count
