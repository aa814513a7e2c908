from flask_wtf import FlaskForm
from wtforms import BooleanField


class SmsSettingsForm(FlaskForm):
    optional_sms = BooleanField("주문 접수·배송 완료 안내 문자 받기")


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token (retry, opt back in)."""
