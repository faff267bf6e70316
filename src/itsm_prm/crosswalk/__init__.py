"""The crosswalk from the model to ISO/IEC 20000-1 editions and ITIL 4: targets, analysis, exports."""
