from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    phone = StringField("휴대전화 번호", validators=[DataRequired("전화번호를 입력해 주세요.")])
    password = PasswordField("비밀번호", validators=[DataRequired("비밀번호를 입력해 주세요."),
                                                  Length(max=128)])
