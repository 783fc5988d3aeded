"""Issue 16: structuring that holds on real citizens' texts — the natasha models offline, landmarks,
the stream's priors, villages the text names without their municipality, shared names, the
correction memory, calibrated confidence."""

import socket

import numpy as np
import pytest

from appeals.lifecycle.transitions import appeal_correct
from cur.models import Subtopic
from structuring import classifier
from structuring.landmarks import LANDMARK, without_landmarks
from structuring.lemmas import tokens
from structuring.models import SectorPrior, TrainingExample
from structuring.pipeline import StructInput, structure_texts
from structuring.selectors import default_priors, sector_priors
from structuring.services import sector_priors_load


def structure(text: str, region: str = "samara", **kwargs):
    return structure_texts([StructInput(text, **kwargs)], region)[0]


# --- the natasha models -----------------------------------------------------------------------

def test_the_natasha_models_load_from_the_wheel_without_network(monkeypatch):
    from structuring import meaning

    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    meaning._ner.cache_clear()
    meaning.word_vectors.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert meaning.NAVEC_FILE.is_file() and meaning.NER_FILE.is_file()
    bench, seat, pit = (meaning.text_vector([w]) for w in ("лавочка", "скамейка", "яма"))
    assert bench.shape == (300,) and abs(float(np.linalg.norm(bench)) - 1) < 1e-5
    assert float(bench @ seat) > float(bench @ pit)  # meaning, not spelling
    found = meaning.entities_batch(["Во дворе в посёлке Алексеевка УК «Жилсервис» не убирает снег, "
                                    "Иванов Пётр Сергеевич обещал."])[0]
    assert {(e.kind, e.text) for e in found} >= {("LOC", "Алексеевка"), ("PER", "Иванов Пётр Сергеевич")}
    assert any(e.kind == "ORG" and "Жилсервис" in e.text for e in found)


def test_the_compact_vocabulary_gives_every_word_its_own_row():
    from gzip import decompress

    from slovnet.const import WORD
    from slovnet.exec.pack import Pack, vocab_name

    from structuring import meaning

    words = meaning._ner()[0].infer.encoder.words_vocab
    with Pack(str(meaning.NER_FILE)) as pack:  # the pack's own list: a word's row is its line number
        items = decompress(pack.read(vocab_name(WORD))).split(b"\n")
    long = [k for k, item in enumerate(items) if len(item) > words.WIDTH]
    sample = [*range(0, len(items), 997), *long[::50]]
    assert long and list(words.ids([items[k].decode() for k in sample])) == sample
    assert words.encode("яма") == items.index("яма".encode())
    assert words.encode("несуществующееслово" * 3) == words.unk_id


def test_a_person_the_ner_model_finds_is_masked_and_an_organisation_is_kept():
    result = structure("Управляющая компания «Жилсервис» не чинит крышу, мастер Кузнецов обещал и пропал.")
    assert any(span.kind == "name" and "Кузнецов" in span.text for span in result.personal_data)
    assert any("Жилсервис" in name for name in result.organisations)


# --- landmarks --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Возле школы № 3 огромная яма, дети ходят по лужам",
    "рядом с детским садом «Радуга» сломали лавочки",
    "за поликлиникой свалка",
    "у остановки Поликлиника не вывозят мусор",
])
def test_a_landmark_phrase_is_neutralised(text):
    lemmas = [t.lemma for t in without_landmarks(tokens(text)) if t.is_word]
    assert LANDMARK in lemmas
    assert not {"школа", "садик", "сад", "поликлиника"} & set(lemmas)


@pytest.mark.parametrize("text", ["У школы нет спортзала", "в школе не кормят детей", "заплатили за школу"])
def test_the_school_stays_when_it_is_the_topic(text):
    assert LANDMARK not in [t.lemma for t in without_landmarks(tokens(text))]


@pytest.mark.parametrize("text, sector", [
    ("Возле школы № 5 на дороге огромная яма, машины бьют колёса, засыпьте её наконец", "roads"),
    ("Около поликлиники на улице Мира неделю не вывозят мусор, контейнеры переполнены", "waste"),
])
def test_a_landmark_text_is_not_classified_by_its_landmark(text, sector):
    assert structure(text).sector == sector


# --- priors -----------------------------------------------------------------------------------

def test_priors_follow_the_real_stream_and_are_the_regions_own_when_edited():
    assert sector_priors_load() == 0 or SectorPrior.objects.exists()
    shares = sector_priors("samara")
    assert shares == default_priors()
    assert shares["housing_utilities"] > shares["education"] and abs(sum(shares.values()) - 1) < 0.01
    SectorPrior.objects.filter(region__code="samara", sector__code="energy").update(share=0.5)
    assert sector_priors("samara")["energy"] == 0.5
    assert sector_priors("chuvashia")["energy"] == default_priors()["energy"]
    assert sector_priors_load() == 0  # a region's own shares are never overwritten


def test_a_prior_moves_an_uncertain_answer_to_the_common_sector():
    p = np.array([[0.45, 0.55]])
    moved = classifier.with_priors(p, ["housing_utilities", "energy"], {"housing_utilities": 0.25, "energy": 0.03})
    assert moved.argmax() == 0 and abs(moved.sum() - 1) < 1e-9
    sure = classifier.with_priors(np.array([[0.02, 0.98]]), ["housing_utilities", "energy"],
                                  {"housing_utilities": 0.25, "energy": 0.03})
    assert sure.argmax() == 1  # a clear text keeps its small sector


# --- places -----------------------------------------------------------------------------------

def test_a_text_that_names_only_a_village_is_placed_in_its_municipality():
    result = structure("Здравствуйте! У нас в селе Старая Ивановка третий день нет воды, никто не едет.")
    assert result.municipality_oktmo == "36624000"  # Кошкинский район
    assert result.settlement_id is not None


def test_a_chuvash_village_is_placed_too():
    assert structure("в деревне Молгачкасы не чистят дорогу", "chuvashia").municipality_oktmo == "97632000"


def test_a_name_shared_by_several_places_is_left_unplaced_without_other_evidence():
    assert structure("В селе Александровка не вывозят мусор уже месяц").municipality_oktmo is None


def test_other_evidence_resolves_a_shared_name():
    result = structure("Кинель-Черкасский район, с. Александровка: не вывозят мусор уже месяц")
    assert result.municipality_oktmo == "36620000"


def test_the_source_territory_resolves_a_shared_name():
    result = structure("В селе Александровка не вывозят мусор", municipality_oktmo="36620000")
    assert result.municipality_oktmo == "36620000" and result.settlement_id is not None


def test_a_microdistrict_counts_after_its_type_word_only():
    assert structure("мкр. Шлюзовой, во дворе дома 5 нет освещения").municipality_oktmo == "36740000"
    assert structure("солнечный день, а света нет", "chuvashia").municipality_oktmo is None


# --- the correction memory --------------------------------------------------------------------

def test_a_correction_changes_the_result_for_its_near_duplicate_at_once(make_appeal, cur_operator):
    text = ("Просим разобраться: на нашей улице поселились бобры, перегрызли все молодые яблони "
            "у пруда, подтопили огороды")
    before = structure(text + ", помогите")
    target = Subtopic.objects.select_related("sector").get(code="other.animals")
    assert (before.sector, before.subtopic) != ("other", "other.animals")
    appeal = make_appeal("36624000", text=text)
    appeal_correct(appeal=appeal, by=cur_operator, changes={"subtopic": target})
    assert TrainingExample.objects.filter(appeal=appeal, source="operator", subtopic="other.animals").exists()
    after = structure(text + ", помогите")
    assert (after.sector, after.subtopic) == ("other", "other.animals")
    assert after.sector_confidence >= 0.8
    unrelated = structure("Во дворе дома 7 третий день нет горячей воды, управляющая компания молчит")
    assert unrelated.sector == "housing_utilities"


# --- confidence -------------------------------------------------------------------------------

def test_the_confidence_is_calibrated_on_the_held_out_split(structuring_model):
    model = classifier.loads(structuring_model.fitted)
    xs, ys = model["calibration"]
    assert xs == sorted(xs) and ys == sorted(ys) and 0 <= ys[0] <= ys[-1] <= 1
    assert classifier.calibrated(model, np.array([0.0, 1.0])).tolist() == [ys[0], min(ys[-1], 0.99)]
    assert max(classifier.calibrated(model, np.array(xs))) < 1.0  # 1.0 is a person's confirmation


def test_a_lexicon_phrase_with_a_function_word_matches():
    from structuring.lemmas import content_lemmas
    from structuring.lexicon import Lexicon

    lex = Lexicon({"education.kindergarten": ["очередь в сад"], "roads.potholes": ["яма"]})
    hits = lex.hits(content_lemmas(tokens("Третий год стоим в очереди в сад, а места нет")))
    assert hits == {lex.column["education.kindergarten"]: 1}


def test_the_plain_model_gives_scikit_learns_own_numbers():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from structuring.linear import Linear, Vectorizer

    texts = ["яма дорога асфальт", "нет горячий вода подъезд", "яма яма двор", "вода холодный", "ок", "а б в г"]
    for fitted in (TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)):
        fitted.fit(texts)
        ours = Vectorizer.of(fitted).transform(texts + ["яма  вода новое слово", ""])
        theirs = fitted.transform(texts + ["яма  вода новое слово", ""])
        assert abs(ours - theirs).max() < 1e-6
    x = TfidfVectorizer().fit_transform(texts)
    for labels in (["a", "b", "a", "b", "c", "c"], ["a", "b", "a", "b", "a", "b"]):
        clf = LogisticRegression(C=8.0).fit(x, labels)
        assert np.allclose(Linear.of(clf).predict_proba(x), clf.predict_proba(x), atol=1e-5)
