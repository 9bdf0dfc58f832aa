def count_letter(sentence, letter):
    count = 0
    for character in sentence.lower():
        if character == letter.lower():
            count = count + 1
    return count
