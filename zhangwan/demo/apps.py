from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and its commands (load_demo, demo_logins); no models."""

    name = "zhangwan.demo"
    label = "demo"
