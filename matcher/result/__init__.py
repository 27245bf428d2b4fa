"""A solver's pairs turned into a MatchResult: explanations, unmatched reasons, alternates,
metrics (:mod:`.assemble` composes :mod:`.explain`, :mod:`.alternates`, :mod:`.metrics`)."""
