"""Imports every domain's models so SQLAlchemy and Alembic see the whole schema."""
from .accounts.models import Address, Role, User  # noqa: F401
from .catalog.models import Market, Product, Stall  # noqa: F401
from .delivery.models import Courier, CourierShift, Route, RouteStop, UnassignedOrder, WavePlan  # noqa: F401
from .notify.models import OutboxMessage, ProviderStatusEvent, SmsOptOut  # noqa: F401
from .ordering.models import Cart, CartLine, Order, OrderEvent, OrderLine, StallOrder  # noqa: F401
