"""`booth lights test` (an installer's walk through every channel) and `booth lights off`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lights", help="check the light wiring, or switch every light off",
                       description="Drive the lights configured in [lights] (mock pins when GPIOZERO_PIN_FACTORY=mock).")
    lsub = p.add_subparsers(dest="lights_command", metavar="ACTION", required=True)
    t = lsub.add_parser("test", help="cycle each channel in turn (ramp up, full, off) so an installer can check wiring",
                        description="One channel at a time: its name, pin and kind are printed, then it ramps from off "
                                    "to its maximum and back off. Every other light stays off. Watch the booth: the "
                                    "named light (and only it) should come on.")
    t.add_argument("--step-s", type=float, default=0.25, help="seconds per ramp step (default 0.25)")
    t.add_argument("--steps", type=int, default=4, help="ramp steps from off to full (default 4)")
    t.add_argument("--only", metavar="NAME", action="append", help="test only this channel (repeatable)")
    t.add_argument("--sysfs-root", default="/sys/class/pwm", help=argparse.SUPPRESS)
    t.set_defaults(handler=_test)
    o = lsub.add_parser("off", help="switch every configured light off (for systemd ExecStopPost after a crash)",
                        description="Kernel PWM keeps running after a process dies; this turns every channel off.")
    o.add_argument("--sysfs-root", default="/sys/class/pwm", help=argparse.SUPPRESS)
    o.set_defaults(handler=_off)


def _test(args) -> int:
    import time

    from . import load_config_from_args
    from ..errors import ConfigError
    from ..types import LightLevels
    from ..lights.rig import LightRig

    cfg = load_config_from_args(args)
    if not cfg.lights.enabled:
        raise ConfigError("lights.enabled = false: nothing to test. Fix: set [lights] enabled = true")
    channels = [ch for ch in cfg.lights.channels if not args.only or ch.name in args.only]
    unknown = set(args.only or ()) - {ch.name for ch in cfg.lights.channels}
    if unknown:
        raise ConfigError(f"no light channel named {', '.join(sorted(unknown))}; configured: "
                          f"{', '.join(ch.name for ch in cfg.lights.channels)}")
    steps = max(1, args.steps)
    with LightRig(cfg.lights, sysfs_root=args.sysfs_root) as rig:
        rig.apply(LightLevels.of(**{name: 0.0 for name in rig.channels}))
        for ch in channels:
            where = (f"pwmchip{ch.pwm_chip}/pwm{ch.pwm_channel}" if ch.kind == "hwpwm" else ch.kind)
            print(f"{ch.name}: GPIO{ch.pin} ({where}, {ch.frequency_hz:g} Hz, levels {ch.min_level:g}-{ch.max_level:g}, "
                  f"gamma {ch.gamma:g})", flush=True)
            ramp = [i / steps for i in range(1, steps + 1)]
            for level in ramp + ramp[-2::-1] + [0.0]:
                lit = rig.apply(LightLevels.of(**{ch.name: level})).get(ch.name)
                print(f"  {ch.name} level {lit:.2f}", flush=True)
                time.sleep(max(0.0, args.step_s))
    print(f"tested {len(channels)} channel(s); all off")
    return 0


def _off(args) -> int:
    from . import load_config_from_args
    from ..lights.rig import LightRig

    cfg = load_config_from_args(args)
    with LightRig(cfg.lights, sysfs_root=args.sysfs_root) as rig:
        rig.off()
        names = ", ".join(rig.channels)
    print(f"lights off: {names}")
    return 0
