"""Assessment data: the ISO/IEC 15504-2 measurement framework, validation, capability levels, profiles."""
