"""The spaCy wrapper: loaded once, computing on OpenBLAS rather than BLIS's generic kernels."""

from threadpoolctl import threadpool_info

from newsloom.enrich.nlp import SpacyModel


def test_the_model_computes_on_one_openblas_thread_not_blis():
    model = SpacyModel()
    # Already when the object is built, in this thread: changing OpenBLAS's threads later, in
    # whichever thread loads the model first, would race other threads' products.
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
    nlp = model._load()
    for name in ("ner", "parser", "tagger", "tok2vec"):
        assert nlp.get_pipe(name).model.ops.use_blis is False, name
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    doc = nlp("Patricia Kim of the Brookings Institution spoke in Washington.", disable=["tok2vec", "tagger", "parser", "attribute_ruler"])
    assert {(ent.text, ent.label_) for ent in doc.ents} >= {("Patricia Kim", "PERSON"), ("Washington", "GPE")}


def test_parsing_a_batch_gives_each_paragraph_the_parse_it_has_alone():
    model = SpacyModel()
    paragraphs = [
        "“We will not back down,” the minister told reporters on Tuesday.",
        "Rubio said the talks had failed.",
        "A very long paragraph " + "that keeps going " * 200 + "ends here.",
    ]

    def grammar(doc):  # type: ignore[no-untyped-def]
        return [(token.text, token.pos_, token.dep_, token.head.i) for token in doc]

    batch = model.parse_all(paragraphs)
    assert [doc.text for doc in batch] == paragraphs
    assert [grammar(doc) for doc in batch] == [grammar(model.parse_all([paragraph])[0]) for paragraph in paragraphs]
    assert not any(doc.ents for doc in batch)  # the recogniser does not run
    assert model.parse_all([]) == []
