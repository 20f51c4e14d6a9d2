"""Tests of course_utils.text on a tiny corpus, against hand-set weights, hand counts and scikit-learn."""

import numpy as np
import pytest

from course_utils import text

CORPUS = ["not good at all", "good good film", "a good film", "not a film", "bad"]


@pytest.fixture(scope="module")
def vectorizer():
    return text.make_vectorizer(CORPUS, max_tokens=10, sequence_length=6)


def test_vectorizer_orders_by_frequency_and_pads(vectorizer):
    vocabulary = vectorizer.get_vocabulary()
    # 0 padding, 1 unknown, then by count: good 4, film 3, then not 2, a 2 (ties), then single words
    assert vocabulary[:4] == ["", "[UNK]", "good", "film"]
    assert set(vocabulary[4:6]) == {"not", "a"}
    index = {word: i for i, word in enumerate(vocabulary)}
    ids = text.vectorize(vectorizer, ["Good, FILM!", "unseen good"])
    assert ids.shape == (2, 6) and ids.dtype == np.int32
    assert ids[0].tolist() == [index["good"], index["film"], 0, 0, 0, 0]
    assert ids[1].tolist() == [1, index["good"], 0, 0, 0, 0]


def test_vectorizer_truncates_long_texts(vectorizer):
    ids = text.vectorize(vectorizer, ["good " * 9])
    assert ids.shape == (1, 6) and (ids == 2).all()


@pytest.mark.parametrize("texts, kwargs, error, match", [
    ("one string", {}, TypeError, "wrap it in a list"),
    ([], {}, ValueError, "non-empty"),
    ([1, 2], {}, TypeError, "str"),
    (CORPUS, {"max_tokens": 2}, ValueError, "max_tokens"),
    (CORPUS, {"sequence_length": 0}, ValueError, "sequence_length"),
    (CORPUS, {"sequence_length": 4.0}, TypeError, "sequence_length"),
])
def test_vectorizer_errors(texts, kwargs, error, match):
    arguments = {"max_tokens": 10, "sequence_length": 6, **kwargs}
    with pytest.raises(error, match=match):
        text.make_vectorizer(texts, **arguments)


def test_kim_cnn_shapes_and_hand_count():
    model = text.kim_cnn(vocab_size=20, sequence_length=10, widths=(2, 3), filters=4, embedding_dim=5)
    # embedding 20*5 = 100; conv_w2 2*5*4 + 4 = 44; conv_w3 3*5*4 + 4 = 64; output 8*1 + 1 = 9
    assert model.count_params() == 100 + 44 + 64 + 9
    assert tuple(model.get_layer("embedding").output.shape) == (None, 10, 5)
    assert tuple(model.get_layer("conv_w2").output.shape) == (None, 9, 4)   # valid: 10 - 2 + 1
    assert tuple(model.get_layer("conv_w3").output.shape) == (None, 8, 4)
    assert tuple(model.get_layer("concat").output.shape) == (None, 8)
    assert tuple(model.output.shape) == (None, 1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"widths": ()}, ValueError, "widths"),
    ({"widths": (3, 3)}, ValueError, "widths"),
    ({"widths": (3, 11)}, ValueError, "does not fit"),
    ({"widths": (0,)}, ValueError, "width"),
    ({"vocab_size": 1}, ValueError, "vocab_size"),
    ({"filters": 2.5}, TypeError, "filters"),
    ({"embedding_dim": 0}, ValueError, "embedding_dim"),
    ({"dropout": 1.0}, ValueError, "dropout"),
])
def test_kim_cnn_errors(kwargs, error, match):
    arguments = {"vocab_size": 20, "sequence_length": 10, **kwargs}
    with pytest.raises(error, match=match):
        text.kim_cnn(**arguments)


def bigram_detector(vectorizer, first, second):
    """A Kim CNN whose filter 1 of width 2 scores +1 for `first` in place 0 and +1 for `second` in place 1."""
    vocabulary = vectorizer.get_vocabulary()
    size = len(vocabulary)
    model = text.kim_cnn(size, 6, widths=(2,), filters=2, embedding_dim=size, dropout=0.0)
    model.get_layer("embedding").set_weights([np.eye(size, dtype=np.float32)])   # one-hot embeddings
    kernel = np.zeros((2, size, 2), dtype=np.float32)
    kernel[0, vocabulary.index(first), 1] = 1.0
    kernel[1, vocabulary.index(second), 1] = 1.0
    model.get_layer("conv_w2").set_weights([kernel, np.zeros(2, dtype=np.float32)])
    return model


def test_top_ngrams_finds_the_planted_bigram(vectorizer):
    model = bigram_detector(vectorizer, "not", "good")
    found = text.top_ngrams(model, vectorizer, CORPUS, filter_index=1, width=2, k=3)
    assert found[0] == ("not good", 2.0)
    assert [score for _, score in found[1:]] == [1.0, 1.0]          # one of the two words matches
    assert all(("not" in ngram.split()[0]) or ngram.endswith("good") for ngram, _ in found[1:])


def test_top_ngrams_shows_padding_and_skips_windows_on_padding(vectorizer):
    model = bigram_detector(vectorizer, "bad", "")
    found = text.top_ngrams(model, vectorizer, ["bad"], filter_index=1, width=2, k=5)
    # "bad" then padding scores 2; the windows "_ _" (score 1) start on padding and are not candidates
    assert found == [("bad _", 2.0)]


def test_top_ngrams_errors(vectorizer):
    model = bigram_detector(vectorizer, "not", "good")
    with pytest.raises(ValueError, match="no layer 'conv_w3'"):
        text.top_ngrams(model, vectorizer, CORPUS, filter_index=0, width=3)
    with pytest.raises(ValueError, match="out of range"):
        text.top_ngrams(model, vectorizer, CORPUS, filter_index=2, width=2)
    with pytest.raises(ValueError, match="k must"):
        text.top_ngrams(model, vectorizer, CORPUS, filter_index=0, width=2, k=0)


def test_predict_texts_shape_and_range(vectorizer):
    model = bigram_detector(vectorizer, "not", "good")
    probs = text.predict_texts(model, vectorizer, ["not good", "good film", "bad"])
    assert probs.shape == (3,) and ((probs > 0) & (probs < 1)).all()


def test_bag_of_words_baseline_ignores_word_order():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = ["great fun", "great film", "fun film great", "dull mess", "dull film", "mess dull film"]
    labels = [1, 1, 1, 0, 0, 0]
    baseline = text.bag_of_words_baseline(texts, labels, c=10.0)
    assert baseline.predict(["great", "dull", "a great film"]).tolist() == [1, 0, 1]
    # a bag of words cannot tell reordered texts apart
    assert np.allclose(baseline.predict_proba(["great not dull"]), baseline.predict_proba(["dull not great"]))
    # the same as scikit-learn's pieces put together by hand
    tfidf = TfidfVectorizer().fit(texts)
    reference = LogisticRegression(C=10.0, max_iter=1000).fit(tfidf.transform(texts), labels)
    np.testing.assert_allclose(baseline.predict_proba(texts), reference.predict_proba(tfidf.transform(texts)))


@pytest.mark.parametrize("texts, labels, match", [
    (["a", "b"], [1], "one label per text"),
    (["a", "b"], [1, 2], "0 or 1"),
    ("a b", [1], "wrap it in a list"),
])
def test_bag_of_words_baseline_errors(texts, labels, match):
    with pytest.raises((ValueError, TypeError), match=match):
        text.bag_of_words_baseline(texts, labels)


# ------------------------------------------------------------------------------------------ wrong arguments
def test_model_and_vectorizer_must_fit_each_other(vectorizer):
    import keras

    longer = text.kim_cnn(20, 8, widths=(2,), filters=2, embedding_dim=4)
    with pytest.raises(ValueError, match="cuts texts to 6 tokens but the model takes 8.*sequence_length=6"):
        text.predict_texts(longer, vectorizer, CORPUS)
    small = text.kim_cnn(3, 6, widths=(2,), filters=2, embedding_dim=4)
    size = vectorizer.vocabulary_size()
    with pytest.raises(ValueError, match=rf"token ids up to {size - 1} but .* has rows for 3.*vocabulary_size\(\)"):
        text.top_ngrams(small, vectorizer, CORPUS, filter_index=0, width=2)
    two = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"outputs of shape \(2,\) per text"):
        text.predict_texts(two, vectorizer, CORPUS)
    model = bigram_detector(vectorizer, "not", "good")
    with pytest.raises(TypeError, match="got TextVectorization; did you swap the model and the vectorizer"):
        text.predict_texts(vectorizer, model, CORPUS)
    with pytest.raises(TypeError, match="vectorizer must be the TextVectorization layer"):
        text.vectorize(model, CORPUS)
    with pytest.raises(TypeError, match="model must be a keras.Model on token ids"):
        text.top_ngrams("model", vectorizer, CORPUS, filter_index=0, width=2)
    with pytest.raises(TypeError, match="width must be an integer"):
        text.top_ngrams(model, vectorizer, CORPUS, filter_index=0, width="2")


def test_kim_cnn_takes_one_width_as_an_int():
    one = text.kim_cnn(vocab_size=20, sequence_length=10, widths=3, filters=4, embedding_dim=5)
    # embedding 20*5; conv_w3 3*5*4 + 4; output 4*1 + 1
    assert one.count_params() == 100 + 64 + 5
    assert [layer.name for layer in one.layers if layer.name.startswith("conv_w")] == ["conv_w3"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: text.kim_cnn(20, 10, dropout="0.5"), TypeError, "dropout must be a number"),
    (lambda: text.kim_cnn(20, 10, widths="345"), TypeError, "widths must be kernel widths"),
    (lambda: text.bag_of_words_baseline(["a b", "c d"], [0, 1], c=-1), ValueError, "c is the inverse regularisation"),
    (lambda: text.bag_of_words_baseline(["a b", "c d"], [0, 1], c="1"), TypeError, "c must be a number"),
])
def test_more_bad_arguments_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
