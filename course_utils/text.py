"""1-D convolution on text: token vectorisation, the multi-width CNN of Kim (2014), a bag-of-words
baseline, and the n-grams that switch a filter on.

    from course_utils import text
    vectorizer = text.make_vectorizer(x_train, max_tokens=20000, sequence_length=50)
    model = text.kim_cnn(vectorizer.vocabulary_size(), 50)     # token ids (batch, 50) -> P(positive)
    text.top_ngrams(model, vectorizer, x_test, filter_index=0, width=3, k=5)

A text becomes a sequence of token ids ``(batch, sequence_length)`` (0 = padding, 1 = unknown word), then a
sequence of embeddings ``(batch, sequence_length, embedding_dim)``, on which Conv1D slides along the words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_utils._checks import number

PAD = "_"


def _as_texts(texts: Sequence[str] | np.ndarray, name: str = "texts") -> np.ndarray:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, not one string; wrap it in a list: [text].")
    array = np.asarray(texts, dtype=object)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of strings, got shape {array.shape}.")
    if not all(isinstance(t, str) for t in array):
        raise TypeError(f"every element of {name} must be a str.")
    return array.astype(str)


def _positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def _check_vectorizer(vectorizer) -> None:
    from keras import layers

    if not isinstance(vectorizer, layers.TextVectorization):
        raise TypeError(f"vectorizer must be the TextVectorization layer of make_vectorizer, got "
                        f"{type(vectorizer).__name__}; did you swap the model and the vectorizer?")


def _check_model_for(model, vectorizer) -> None:
    """The model takes the vectorizer's token ids: the same sequence length, and an embedding for every id."""
    import keras

    if not isinstance(model, keras.Model):
        swapped = "; did you swap the model and the vectorizer?" if isinstance(model, keras.layers.TextVectorization) else ""
        raise TypeError(f"model must be a keras.Model on token ids (e.g. kim_cnn), got {type(model).__name__}{swapped or '.'}")
    _check_vectorizer(vectorizer)
    length = vectorizer.get_config().get("output_sequence_length")
    shape = model.input_shape if not isinstance(model.input_shape, list) else model.input_shape[0]
    if length is not None and len(shape) == 2 and shape[1] is not None and shape[1] != length:
        raise ValueError(f"the vectorizer cuts texts to {length} tokens but the model takes {shape[1]}; build the model "
                         f"with sequence_length={length}, or a vectorizer with sequence_length={shape[1]}.")
    embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    size = vectorizer.vocabulary_size()
    if embeddings and embeddings[0].input_dim < size:
        raise ValueError(f"the vectorizer gives token ids up to {size - 1} but the model's embedding "
                         f"{embeddings[0].name!r} has rows for {embeddings[0].input_dim}; build the model with "
                         f"vocab_size=vectorizer.vocabulary_size() ({size}).")


def make_vectorizer(texts: Sequence[str], max_tokens: int, sequence_length: int):
    """A ``TextVectorization`` layer adapted to ``texts``: lower case, punctuation stripped, split on spaces.

    Token id 0 is padding and 1 the unknown word; the other ``max_tokens - 2`` ids go to the most frequent
    words. Texts are cut or zero-padded (at the end) to ``sequence_length`` tokens.

    Returns:
        The adapted layer; called on ``n`` strings it returns int64 ids of shape ``(n, sequence_length)``.

    Raises:
        TypeError, ValueError: for texts that are not a non-empty list of strings, or sizes below 3 / 1.
    """
    from keras import layers

    texts = _as_texts(texts)
    max_tokens = _positive_int(max_tokens, "max_tokens", minimum=3)
    sequence_length = _positive_int(sequence_length, "sequence_length")
    vectorizer = layers.TextVectorization(max_tokens=max_tokens, output_mode="int",
                                          output_sequence_length=sequence_length, name="vectorizer")
    vectorizer.adapt(texts, batch_size=1024)
    return vectorizer


def vectorize(vectorizer, texts: Sequence[str]) -> np.ndarray:
    """Token ids of ``texts`` as a numpy int32 array ``(n, sequence_length)`` (int32: what every Keras backend
    takes without a warning; JAX has no int64 by default).

    Raises:
        TypeError, ValueError: for a vectorizer that is not a ``TextVectorization`` layer, or texts that are
            not a non-empty list of strings.
    """
    _check_vectorizer(vectorizer)
    return np.asarray(vectorizer(_as_texts(texts))).astype(np.int32)


def kim_cnn(vocab_size: int, sequence_length: int, widths: Sequence[int] = (3, 4, 5), filters: int = 100,
            embedding_dim: int = 128, dropout: float = 0.5):
    """The sentence CNN of Kim (2014), randomly initialised embeddings ("CNN-rand").

    ``Embedding -> [Conv1D(filters, w, relu) -> max over time] for w in widths -> concatenate -> Dropout
    -> Dense(1, sigmoid)``. Each convolution is an n-gram detector of width ``w``; max-over-time pooling keeps
    its strongest match anywhere in the sentence. Layers: ``embedding``, ``conv_w3``, ``pool_w3``, ...,
    ``concat``, ``dropout``, ``output``.

    Args:
        vocab_size: number of token ids (``vectorizer.vocabulary_size()``).
        sequence_length: tokens per text; must be at least ``max(widths)``.
        widths: the kernel widths, one convolution each (one int: a single convolution).

    Returns:
        An uncompiled ``keras.Model``: int token ids ``(batch, sequence_length)`` -> ``(batch, 1)`` probability
        of the positive class.

    Raises:
        TypeError, ValueError: for non-integer or too small sizes, no widths, or a dropout outside [0, 1).
    """
    import keras
    from keras import layers

    vocab_size = _positive_int(vocab_size, "vocab_size", minimum=2)
    sequence_length = _positive_int(sequence_length, "sequence_length")
    filters = _positive_int(filters, "filters")
    embedding_dim = _positive_int(embedding_dim, "embedding_dim")
    if isinstance(widths, (int, np.integer)) and not isinstance(widths, bool):
        widths = (widths,)
    if isinstance(widths, str) or not isinstance(widths, (Sequence, np.ndarray)):
        raise TypeError(f"widths must be kernel widths such as (3, 4, 5), got {widths!r}.")
    widths = [_positive_int(w, "each width") for w in widths]
    if not widths or len(set(widths)) != len(widths):
        raise ValueError(f"widths must be distinct kernel widths such as (3, 4, 5), got {widths}.")
    if max(widths) > sequence_length:
        raise ValueError(f"a kernel of width {max(widths)} does not fit in {sequence_length} tokens.")
    if not 0.0 <= number(dropout, "dropout") < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
    tokens = keras.Input(shape=(sequence_length,), dtype="int32", name="tokens")
    embedded = layers.Embedding(vocab_size, embedding_dim, name="embedding")(tokens)
    pooled = []
    for w in widths:
        feature = layers.Conv1D(filters, w, activation="relu", name=f"conv_w{w}")(embedded)
        pooled.append(layers.GlobalMaxPooling1D(name=f"pool_w{w}")(feature))
    h = layers.Concatenate(name="concat")(pooled) if len(pooled) > 1 else pooled[0]
    h = layers.Dropout(dropout, name="dropout")(h)
    outputs = layers.Dense(1, activation="sigmoid", name="output")(h)
    return keras.Model(tokens, outputs, name="kim_cnn")


def bag_of_words_baseline(texts: Sequence[str], labels: Sequence[int], max_features: int = 20000, c: float = 1.0):
    """A baseline that ignores word order: TF-IDF of single words + logistic regression (scikit-learn).

    Returns:
        A fitted ``sklearn.pipeline.Pipeline``; ``.predict(texts)`` gives 0/1 labels.

    Raises:
        TypeError, ValueError: for texts that are not strings, labels of another length or not 0/1, or a
            ``c`` (inverse regularisation strength) that is not a positive number.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = _as_texts(texts)
    labels = np.asarray(labels)
    if labels.shape != (len(texts),):
        raise ValueError(f"{len(texts)} texts but labels of shape {labels.shape}; give one label per text.")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1 (binary classification).")
    max_features = _positive_int(max_features, "max_features")
    if number(c, "c") <= 0:
        raise ValueError(f"c is the inverse regularisation strength and must be > 0, got {c}.")
    pipeline = make_pipeline(TfidfVectorizer(max_features=max_features, ngram_range=(1, 1)),
                             LogisticRegression(C=c, max_iter=1000))
    return pipeline.fit(texts, labels)


def predict_texts(model, vectorizer, texts: Sequence[str]) -> np.ndarray:
    """Probability of the positive class for raw strings: vectorise, then ``model.predict``; shape ``(n,)``.

    Raises:
        TypeError: for a model that is not a Keras model or a vectorizer that is not a ``TextVectorization``.
        ValueError: if the model does not fit the vectorizer (sequence length, vocabulary size) or has more than
            one output per text.
    """
    _check_model_for(model, vectorizer)
    probs = np.asarray(model.predict(vectorize(vectorizer, texts), verbose=0))
    if probs.ndim > 2 or (probs.ndim == 2 and probs.shape[1] != 1):
        raise ValueError(f"the model gives outputs of shape {probs.shape[1:]} per text; predict_texts needs one "
                         "probability per text (a Dense(1, sigmoid) output, as kim_cnn has).")
    return probs.reshape(-1)


def top_ngrams(model, vectorizer, texts: Sequence[str], filter_index: int, width: int, k: int = 5
               ) -> list[tuple[str, float]]:
    """The ``k`` distinct n-grams of ``texts`` that switch filter ``filter_index`` of layer ``conv_w{width}`` on most.

    Windows that start on padding are skipped; padding inside a window (a text shorter than ``width``)
    shows as ``_``.

    Returns:
        ``[(ngram, activation), ...]``, strongest first (at most ``k``).

    Raises:
        TypeError: for a model that is not a Keras model, a vectorizer that is not a ``TextVectorization``, or a
            width, filter index or ``k`` that is not an integer.
        ValueError: if the model has no layer ``conv_w{width}``, does not fit the vectorizer, or ``filter_index``
            is out of range.
    """
    import keras

    _check_model_for(model, vectorizer)
    width = _positive_int(width, "width")
    name = f"conv_w{width}"
    names = [layer.name for layer in model.layers]
    if name not in names:
        raise ValueError(f"the model has no layer {name!r}; its convolution widths are "
                         f"{[n[6:] for n in names if n.startswith('conv_w')]}.")
    conv = model.get_layer(name)
    filter_index = _positive_int(filter_index, "filter_index", minimum=0)
    if filter_index >= conv.filters:
        raise ValueError(f"filter_index {filter_index} is out of range: {name} has {conv.filters} filters.")
    k = _positive_int(k, "k")
    ids = vectorize(vectorizer, texts)
    probe = keras.Model(model.inputs, conv.output)
    scores = np.asarray(probe.predict(ids, batch_size=512, verbose=0))[:, :, filter_index]
    vocabulary = np.array([PAD, *vectorizer.get_vocabulary()[1:]], dtype=object)
    starts_on_word = ids[:, : scores.shape[1]] != 0
    order = np.argsort(np.where(starts_on_word, scores, -np.inf), axis=None)[::-1]
    found: dict[str, float] = {}
    for flat in order:
        row, start = np.unravel_index(flat, scores.shape)
        if not starts_on_word[row, start] or len(found) >= k:
            break
        ngram = " ".join(vocabulary[ids[row, start: start + width]])
        found.setdefault(ngram, float(scores[row, start]))
    return list(found.items())
