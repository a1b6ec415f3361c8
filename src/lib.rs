//! The Step Functions playground web app (library part, shared by the page and its tests).

pub mod graph;
