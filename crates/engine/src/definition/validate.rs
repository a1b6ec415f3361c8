//! The checks AWS's CreateStateMachine makes beyond the shape of each field.
