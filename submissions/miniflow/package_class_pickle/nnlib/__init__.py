class Scaler:
    def __init__(self):
        self.k = 2
