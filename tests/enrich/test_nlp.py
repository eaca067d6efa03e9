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
