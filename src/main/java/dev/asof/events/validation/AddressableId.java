package dev.asof.events.validation;

import dev.asof.core.Text;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** An id that keeps {@link Text}'s id rule: the same text everywhere, and always addressable by path. */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = AddressableId.Validator.class)
public @interface AddressableId {
    String message() default "is not an id that can be read back at its path";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<AddressableId, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String problem = value == null ? null : Text.idProblem(value);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            // The rule's own words, taken literally (no message interpolation of what a client sent).
            context.unwrap(org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext.class)
                    .addMessageParameter("problem", problem)
                    .buildConstraintViolationWithTemplate("{problem}").addConstraintViolation();
            return false;
        }
    }
}
