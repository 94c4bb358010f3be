"""Common English words that may be kept in stored questions (with the intent vocabulary).

Anything else in an unanswered question is replaced by "…" before it is stored, so names
never reach the usage database. Words that are also common names (bill, mark, rose, grace...)
are left out on purpose, and number words are never kept.
"""

_WORDS = """
    a about above after again against ago all allowed almost alone along already also always
    am an and another any anyone anything anyway are area around as ask asked asking at away
    back bad be because bed been before behind being best better between big bit body bone
    bones both bring but by call called came can care cause change check children clean close
    come comes coming could cup day days did die different do doctor doctors does doing done
    down drink drive driving during each early eat eating else end enough even ever every
    everything eye eyes face family far fast feel feeling feet few find fine food for
    free friend friends from front full get gets getting give given go goes going gone good got
    had happen happened happens has have having he head hear heard help her here him his home
    hospital hot hours house how hungry hurt hurts i if ill in inside instead into is it its
    just keep kind know later leave left less let life like little live long look looking lose
    lot made make man many may me mean medicine might mind more morning most move much must my
    myself name near need needs never new next nice night no normal not nothing now of off
    often ok okay old on only open or other our out outside over own pain part people
    person place play please point put question questions quick quite rather read ready really
    rest right room run safe said same say says see seen she should show side sick since sit
    sitting sleep slow small so some someone something sometimes soon sorry start stay still
    stop such sure take taken takes talk tell than thank thanks that the their them then there
    these they thing things think this those through time to today together told tomorrow too
    took toilet top treatment try trying turn under understand until up us use used very wait
    waiting walk want wanted wants was water way we week weeks well went were what when where
    which while who whole why wife husband with without woman word work worried worry would
    wrong year years yes yet you your yourself
"""
COMMON_WORDS = frozenset(_WORDS.split())
