"""Pure narration of the engine's runs for the web page: what each region says at a step.

No Django, no I/O. ``visual`` words the Visual mode (table row, tracker cell, caption).
"""
