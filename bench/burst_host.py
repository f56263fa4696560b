"""One host of burst.py's two-host variant: the app as gunicorn serves it, but with an instance
folder of its own (BURST_INSTANCE), as a second machine would have."""

import functools
import os

import quizapp

quizapp.Flask = functools.partial(quizapp.Flask, instance_path=os.environ["BURST_INSTANCE"])
app = quizapp.create_app()
