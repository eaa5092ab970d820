"""Deterministic ids and names: the same seed and the same sequence of requests give the same values.

Docker draws container ids from 32 random bytes and names from its names generator
(moby internal/namesgenerator: `left[i] + "_" + right[j]`, "boring_wozniak" rejected).
Here every value is derived from (seed, counter), so a command log replays exactly.
"""
from __future__ import annotations

import hashlib

# A selection from moby's names-generator lists (adjectives and notable scientists/hackers).
LEFT = (
    "admiring adoring affectionate agitated amazing angry awesome beautiful blissful bold boring "
    "brave busy charming clever compassionate competent condescending confident cool cranky crazy "
    "dazzling determined distracted dreamy eager ecstatic elastic elated elegant eloquent epic "
    "exciting fervent festive flamboyant focused friendly frosty funny gallant gifted goofy gracious "
    "great happy hardcore heuristic hopeful hungry infallible inspiring intelligent interesting "
    "jolly jovial keen kind laughing loving lucid magical modest musing mystifying naughty nervous "
    "nice nifty nostalgic objective optimistic peaceful pedantic pensive practical priceless quirky "
    "quizzical recursing relaxed reverent romantic sad serene sharp silly sleepy stoic strange "
    "stupefied suspicious sweet tender thirsty trusting unruffled upbeat vibrant vigilant vigorous "
    "wizardly wonderful xenodochial youthful zealous zen"
).split()
RIGHT = (
    "agnesi albattani allen almeida archimedes ardinghelli aryabhata austin babbage banach bardeen "
    "bartik bassi beaver bell benz bhabha bhaskara black blackburn blackwell bohr booth borg bose "
    "bouman boyd brahmagupta brattain brown buck burnell cannon carson cartwright carver cerf "
    "chandrasekhar chaplygin chatelet chatterjee chaum chebyshev clarke cohen colden cori cray "
    "curie darwin davinci dewdney dhawan diffie dijkstra dirac driscoll dubinsky easley edison "
    "einstein elbakyan elgamal elion ellis engelbart euclid euler faraday feistel fermat fermi "
    "feynman franklin gagarin galileo galois ganguly gates gauss germain goldberg goldstine "
    "goldwasser golick goodall gould greider grothendieck haibt hamilton haslett hawking hellman "
    "heisenberg hermann herschel hertz heyrovsky hodgkin hofstadter hoover hopper hugle hypatia "
    "ishizaka jackson jang jemison jennings jepsen johnson joliot jones kalam kapitsa kare keldysh "
    "keller kepler khayyam khorana kilby kirch knuth kowalevski lalande lamarr lamport leakey "
    "leavitt lederberg lehmann lewin lichterman liskov lovelace lumiere mahavira margulis matsumoto "
    "maxwell mayer mccarthy mcclintock mclaren mclean mcnulty meitner mendel mendeleev meninsky "
    "merkle mestorf mirzakhani montalcini moore morse moser murdock napier nash neumann newton "
    "nightingale nobel noether northcutt noyce panini pare pascal pasteur payne perlman pike "
    "poincare poitras proskuriakova ptolemy raman ramanujan rhodes ride ritchie robinson roentgen "
    "rosalind rubin saha sammet sanderson satoshi shamir shannon shaw shirley shockley shtern "
    "sinoussi snyder solomon spence stonebraker sutherland swanson swartz swirles taussig tesla "
    "tharp thompson torvalds tu turing varahamihira vaughan villani visvesvaraya volhard wescoff "
    "wilbur wiles williams williamson wilson wing wozniak wright wu yalow yonath zhukovsky"
).split()


class IdSource:
    """Counter-based deterministic randomness, serialisable as two integers."""

    def __init__(self, seed: int = 0, counter: int = 0):
        self.seed, self.counter = seed, counter

    def _next(self, purpose: str) -> bytes:
        self.counter += 1
        return hashlib.sha256(f"{self.seed}:{self.counter}:{purpose}".encode()).digest()

    def hex64(self, purpose: str = "id") -> str:
        """64 lowercase hex characters, like Docker's GenerateRandomID()."""
        return self._next(purpose).hex()

    def number(self, low: int, high: int, purpose: str = "number") -> int:
        """An integer in [low, high]."""
        return low + int.from_bytes(self._next(purpose)[:8], "big") % (high - low + 1)

    def container_name(self, taken) -> str:
        """Docker's generateAndReserveName: up to 6 tries, a digit appended on retries."""
        for retry in range(6):
            left = LEFT[self.number(0, len(LEFT) - 1, "left")]
            right = RIGHT[self.number(0, len(RIGHT) - 1, "right")]
            name = f"{left}_{right}"
            if name == "boring_wozniak":  # "Steve Wozniak is not boring"
                continue
            if retry > 0:
                name += str(self.number(0, 9, "digit"))
            if name not in taken:
                return name
        return self.hex64("name")[:12]

    def to_json(self) -> list[int]:
        return [self.seed, self.counter]

    @classmethod
    def from_json(cls, data: list[int]) -> "IdSource":
        return cls(*data)
