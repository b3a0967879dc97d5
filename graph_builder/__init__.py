"""polkg: a knowledge graph of China's trade-in-services and foreign-cultural-trade policy."""

__version__ = "0.1.0"
