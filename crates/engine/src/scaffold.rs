//! Starting points for a new user: a mock for every Task resource of a definition that has
//! none, so a run works at once. (Stub: the playground helper fills this in.)
