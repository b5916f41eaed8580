"""The numeric values libcamera gives controls.AfModeEnum (Manual 0, Auto 1, Continuous 2)."""


class AfModeEnum:
    Manual = 0
    Auto = 1
    Continuous = 2
