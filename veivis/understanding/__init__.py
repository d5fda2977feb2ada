"""Understanding what people actually type, beyond the intent classifier's first guess.

- buttons.py: a typed button title means what clicking the button means;
- topics.py: a substance or topic word plus a question frame → the answer (a table);
- retrieval.py: BM25 over the bot's own answers' example questions, for «Mente du …?».
The NLU component that uses them is veivis/nlu/answer_finder.py.
"""
