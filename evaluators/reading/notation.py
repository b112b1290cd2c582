"""Reads formulas and code the way an interviewer does: `w ← w − η∇L` says "update the weight
against the gradient, scaled by the learning rate". A sentence-embedding model and the concept
matcher only know words, so an answer written as a formula or a snippet gets the words its
notation stands for appended before it is analysed; the member's text itself is never changed.
"""

from __future__ import annotations

import re

# Each pattern, and the words (English and Korean) it stands for. Patterns are matched on the
# answer as written; Latin identifiers as whole tokens.
_READINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"∇|\bgrad(?:ient)?s?\b|\bd[lL]/d[wθ]|∂", "gradient 기울기"),
        (r"η|\blr\b|learning_rate|\balpha\b", "learning rate 학습률"),
        (
            r"(?:-=|←\s*\w+\s*[−-])|\w\s*=\s*\w+\s*[−-]\s*(?:η|lr|alpha)",
            "gradient descent update 경사하강법 업데이트",
        ),
        (r"\bmax\s*\(\s*0\s*,", "ReLU max(0,x) 렐루"),
        (r"1\s*/\s*\(\s*1\s*\+\s*e", "sigmoid 시그모이드"),
        (r"\btanh\b", "tanh"),
        (r"\bsoftmax\b|e\^\w+\s*/\s*[Σ∑]", "softmax 소프트맥스"),
        (r"[Σ∑]|\bsum\b", "sum 합"),
        (r"\blog\b", "log likelihood cross-entropy 로그"),
        (r"μ|\bmu\b|\bmean\b", "mean 평균"),
        (r"σ²|\bvar\b|\bvariance\b|sqrt", "variance standard deviation 분산 표준편차"),
        (r"ε|\beps\b", "epsilon small constant"),
        (r"γ|\bgamma\b", "scale gamma 스케일"),
        (r"β|\bbeta\b", "shift beta momentum 이동"),
        (r"λ|\blambda\b|\bweight_decay\b", "regularization penalty 정규화 패널티"),
        (r"‖|\|\|", "norm 노름"),
        (r"\bmomentum\b|\bvelocity\b|\bbuf\b|\bv\s*=\s*[\wβρ.]+\s*\*\s*v", "momentum 모멘텀"),
        (r"\.detach\(\)|no_grad|requires_grad\s*=\s*False", "stop gradient freeze 고정"),
        (r"\.eval\(\)|running_mean|running_var", "inference mode running statistics 추론"),
        (r"\bmask\b|\brand\w*\s*\(.*\)\s*[<>]", "random mask dropout 드롭아웃"),
        (r"\bfan_in\b|\bfan_out\b", "fan-in fan-out initialization variance 초기화"),
        (r"\bbce\b|binary_crossentropy|BCELoss", "binary cross-entropy 이진 교차 엔트로피"),
        (r"\bmse\b|\(\s*\w+\s*[−-]\s*\w+\s*\)\s*(?:\*\*\s*2|²)", "squared error MSE 제곱 오차"),
        (r"\bD\s*\(\s*G\s*\(\s*z", "discriminator generator 판별자 생성자"),
        (r"\bW\b|\bw\b|\bweights?\b|θ", "weight parameter 가중치 파라미터"),
        (r"\bb\b|\bbias\b", "bias 편향"),
        (r"\bk_h\b|\bC_in\b|\bC_out\b|\bkernel\b", "kernel channels 커널 채널"),
    )
)
_FORMULA_MARK = re.compile(r"[=←→∇Σ∑∂ηλμσεγβθ²√‖]|\*\*|-=|\+=|\w\(\w*[,)]|\w\s*[*/^]\s*\w")
_MIN_MARKS = 2


def looks_like_formula(text: str) -> bool:
    """Math or code, not noise: at least two formula marks (=, ←, ∇, **, a * b, f(x), Greek
    letters)."""
    return len(_FORMULA_MARK.findall(text)) >= _MIN_MARKS


def mostly_notation(text: str) -> bool:
    """Whether half of `text`'s lines or more are formulas or code (`looks_like_formula`): an
    answer whose concepts can hardly be read by its words ("cache += grad**2", "w -= lr * grad
    / (np.sqrt(cache) + eps)", "이게 모멘텀 업데이트입니다.")."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and 2 * sum(looks_like_formula(line) for line in lines) >= len(lines)


def read_notation(text: str) -> str:
    """`text`, plus the words its formulas and code stand for when it has any."""
    if not looks_like_formula(text):
        return text
    words = [reading for pattern, reading in _READINGS if pattern.search(text)]
    return f"{text}\n{' '.join(words)}" if words else text
