"""The cells, one a module: rnn, lstm, gru; each exposes Params, forward and backward."""
