"""Web forms of the resident's cart and checkout (CSRF-protected by Flask-WTF)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..input_bounds import MAX_ID
from .models import Substitution
from .pricing import MAX_QUANTITY

NEW_ADDRESS = "new"
SUBSTITUTION_CHOICES = [SelectChoice(key, Substitution.LABELS[key]) for key in Substitution.ALL]


class AddToCartForm(FlaskForm):
    product_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID, "상품을 찾을 수 없습니다.")])
    quantity = IntegerField("수량", default=1, validators=[
        InputRequired("수량을 입력해 주세요."),
        NumberRange(1, MAX_QUANTITY, f"수량은 1개부터 {MAX_QUANTITY}개까지 담을 수 있습니다.")])
    replace = BooleanField()
    next = HiddenField()


class CartLineForm(FlaskForm):
    quantity = IntegerField("수량", validators=[
        InputRequired("수량을 입력해 주세요."),
        NumberRange(1, MAX_QUANTITY, f"수량은 1개부터 {MAX_QUANTITY}개까지 담을 수 있습니다.")])
    substitution = SelectField("품절 시", choices=SUBSTITUTION_CHOICES, validators=[Optional()])


class EmptyForm(FlaskForm):
    """Buttons that only need the CSRF token (remove, cancel)."""


class CheckoutForm(FlaskForm):
    address = RadioField("배달 주소", validators=[DataRequired("배달 주소를 선택해 주세요.")], validate_choice=False)
    dong_code = SelectField("동", choices=[], validate_choice=False, validators=[Optional()])
    detail = StringField("상세 주소", validators=[Optional(), Length(max=120, message="120자까지 입력할 수 있습니다.")])
    wave = RadioField("배송 회차", validators=[DataRequired("배송 회차를 선택해 주세요.")], validate_choice=False)
    idempotency_key = HiddenField(validators=[DataRequired()])
    expected_subtotal = HiddenField()
