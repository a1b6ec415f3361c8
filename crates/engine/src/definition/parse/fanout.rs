//! Parallel and Map states: the states that run nested state machines.

use serde_json::Value;

use super::expressions::JsonataShape;
use super::fields::NumberCheck;
use super::{field, Builder, Field, ScopeKind};
use crate::definition::json::{child_pointer, Kind, Node};
use crate::definition::model::{
    MapState, ParallelState, PathField, Payload, ProcessorMode, QueryLanguage, StateKind,
    StateMachine,
};
use crate::definition::validate::{diagnostic, StateInfo, Target};
use crate::definition::Severity;

impl<'r> Builder<'r> {
    // Parallel and Map recurse (state -> parallel/map -> machine -> state): only small
    // frames may be live across the recursion, so that nesting as deep as the JSON depth cap
    // allows fits a 1 MiB stack in a debug build. The recursive part of each is its own small
    // function, the rest runs after it returns, and kinds travel boxed.

    pub(super) fn parallel(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<Box<StateKind>> {
        let (branches, ok) = self.parallel_branches(node, ptr);
        self.parallel_rest(node, ptr, info, branches, ok)
    }

    fn parallel_branches(&mut self, node: &Node, ptr: &str) -> (Vec<StateMachine>, bool) {
        let ql = self.ql;
        let mut ok = true;
        let mut branches = Vec::new();
        match field(node, ptr, "Branches") {
            None => {
                self.required(node, ptr, "Branches");
                ok = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Array(items) => {
                    if items.is_empty() {
                        self.schema(
                            f.pos(),
                            f.ptr(),
                            "'Branches' must contain at least one branch",
                        );
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(f.ptr(), &i.to_string());
                        let branch = self.machine(item, &item_ptr, ScopeKind::Branch);
                        // The branch's states set their own language; this state's is back.
                        self.ql = ql;
                        match branch {
                            Some(b) => branches.push(b),
                            None => ok = false,
                        }
                    }
                }
                _ => {
                    self.wrong_type(&f, "Array");
                    ok = false;
                }
            },
        }
        (branches, ok)
    }

    #[inline(never)]
    fn parallel_rest(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
        branches: Vec<StateMachine>,
        mut ok: bool,
    ) -> Option<Box<StateKind>> {
        let (parameters, arguments, result_selector, result_path) = match self.ql {
            QueryLanguage::JsonPath => (
                self.checked_template(node, ptr, "Parameters", &mut ok),
                None,
                self.checked_template(node, ptr, "ResultSelector", &mut ok),
                self.path_field(node, ptr, "ResultPath", true),
            ),
            QueryLanguage::Jsonata => (
                None,
                self.jsonata_field(node, ptr, "Arguments", JsonataShape::Object, &mut ok),
                None,
                PathField::Default,
            ),
        };
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        ok.then(|| {
            Box::new(StateKind::Parallel(ParallelState {
                branches,
                parameters,
                arguments,
                result_selector,
                result_path,
                retry,
                catch,
            }))
        })
    }

    pub(super) fn map(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<Box<StateKind>> {
        let processor = self.map_processor(node, ptr);
        self.map_rest(node, ptr, info, processor)
    }

    /// The item processor (or Iterator) of a Map, its mode and execution type, and whether
    /// all of it is valid.
    fn map_processor(&mut self, node: &Node, ptr: &str) -> MapProcessor {
        let ql = self.ql;
        let mut ok = true;
        let processor_key = match (node.get("ItemProcessor"), node.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.only_one(node, ptr, &["ItemProcessor", "Iterator"]);
                ok = false;
                // Still read the ItemProcessor, to report its problems too.
                Some("ItemProcessor")
            }
            (Some(_), None) => Some("ItemProcessor"),
            (None, Some(_)) => Some("Iterator"),
            (None, None) => {
                self.required(node, ptr, "ItemProcessor");
                None
            }
        };
        let mut processor_mode = ProcessorMode::Inline;
        let mut execution_type = None;
        let mut item_processor = None;
        if let Some(f) = processor_key.and_then(|k| field(node, ptr, k)) {
            item_processor = self.machine(f.node, f.ptr(), ScopeKind::ItemProcessor);
            // The processor's states set their own language; this state's is back.
            self.ql = ql;
            if let Some(config) = field(f.node, f.ptr(), "ProcessorConfig") {
                match self.processor_config(&config) {
                    Some((mode, exec)) => {
                        processor_mode = mode;
                        execution_type = exec;
                    }
                    None => ok = false,
                }
            }
        }
        ok &= item_processor.is_some();
        MapProcessor {
            item_processor: item_processor.map(Box::new),
            processor_mode,
            execution_type,
            ok,
        }
    }

    #[inline(never)]
    fn map_rest(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
        processor: MapProcessor,
    ) -> Option<Box<StateKind>> {
        let ql = self.ql;
        let MapProcessor {
            item_processor,
            processor_mode,
            execution_type,
            mut ok,
        } = processor;
        let mut items_path = PathField::Default;
        let mut items = None;
        let item_selector;
        let mut result_selector = None;
        let mut result_path = PathField::Default;
        if ql == QueryLanguage::Jsonata {
            items = self.jsonata_field(node, ptr, "Items", JsonataShape::Array, &mut ok);
            item_selector = self
                .jsonata_field(node, ptr, "ItemSelector", JsonataShape::Object, &mut ok)
                .map(Payload::Jsonata);
        } else {
            items_path = self.path_field(node, ptr, "ItemsPath", true);
            if let (Some(f), PathField::Default) = (field(node, ptr, "ItemsPath"), &items_path) {
                ok &= matches!(f.node.kind, Kind::Null);
            }
            item_selector = match (node.get("ItemSelector"), node.get("Parameters")) {
                (Some(_), Some(_)) => {
                    self.only_one(node, ptr, &["ItemSelector", "Parameters"]);
                    ok = false;
                    None
                }
                (_, Some(_)) => self.checked_template(node, ptr, "Parameters", &mut ok),
                _ => self.checked_template(node, ptr, "ItemSelector", &mut ok),
            }
            .map(Payload::Template);
            result_selector = self.checked_template(node, ptr, "ResultSelector", &mut ok);
            result_path = self.path_field(node, ptr, "ResultPath", true);
        }
        let count = NumberCheck::Uint {
            min: 0,
            max: u64::from(u32::MAX >> 1),
        };
        let max_concurrency = self.number_field(
            node,
            ptr,
            "MaxConcurrency",
            "MaxConcurrencyPath",
            count,
            false,
        );
        let tolerated_failure_percentage = self.number_field(
            node,
            ptr,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            NumberCheck::Percentage,
            false,
        );
        let tolerated_failure_count = self.number_field(
            node,
            ptr,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            count,
            false,
        );
        for (key, path_key, got) in [
            (
                "MaxConcurrency",
                "MaxConcurrencyPath",
                max_concurrency.is_some(),
            ),
            (
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                tolerated_failure_percentage.is_some(),
            ),
            (
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                tolerated_failure_count.is_some(),
            ),
        ] {
            ok &= got || (node.get(key).is_none() && node.get(path_key).is_none());
        }
        if processor_mode == ProcessorMode::Inline {
            // A field with an error of its own is reported once, for that.
            let valid = [
                ("ToleratedFailureCount", tolerated_failure_count.is_some()),
                (
                    "ToleratedFailureCountPath",
                    tolerated_failure_count.is_some(),
                ),
                (
                    "ToleratedFailurePercentage",
                    tolerated_failure_percentage.is_some(),
                ),
                (
                    "ToleratedFailurePercentagePath",
                    tolerated_failure_percentage.is_some(),
                ),
            ];
            for (key, _) in valid.iter().filter(|(_, valid)| *valid) {
                if let Some(f) = field(node, ptr, key) {
                    self.diags.push(diagnostic(
                        Severity::Warning,
                        f.pos(),
                        f.ptr(),
                        format!("INLINE_MAP_TOLERANCE: '{key}' applies to a Distributed Map only: AWS accepts it on an inline Map, where any failed iteration fails the Map"),
                    ));
                }
            }
        }
        let mut raw_object = |b: &mut Self, key: &str| -> Option<Value> {
            let f = field(node, ptr, key)?;
            if b.object_node(f.node, f.ptr(), format_args!("field '{key}'")) {
                Some(f.node.to_value())
            } else {
                ok = false;
                None
            }
        };
        let item_reader = raw_object(self, "ItemReader");
        let item_batcher = raw_object(self, "ItemBatcher");
        let result_writer = raw_object(self, "ResultWriter");
        let label = self.opt_string(node, ptr, "Label");
        ok &= label.is_some() || node.get("Label").is_none();
        if let (Some(l), Some(f)) = (&label, field(node, ptr, "Label")) {
            self.labels.push(Target {
                name: l.clone(),
                pointer: f.ptr().to_string(),
                pos: f.node.pos,
                field: "Label",
            });
        }
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        let item_processor = item_processor?;
        ok.then(|| {
            Box::new(StateKind::Map(MapState {
                items,
                item_processor,
                processor_mode,
                execution_type,
                items_path,
                item_selector,
                result_selector,
                result_path,
                max_concurrency,
                tolerated_failure_percentage,
                tolerated_failure_count,
                item_reader,
                item_batcher,
                result_writer,
                label,
                retry,
                catch,
            }))
        })
    }

    fn processor_config(&mut self, f: &Field<'_>) -> Option<(ProcessorMode, Option<String>)> {
        if !self.object_node(f.node, f.ptr(), "field 'ProcessorConfig'") {
            return None;
        }
        self.check_fields(f.node, f.ptr(), &["Mode", "ExecutionType"]);
        let mut ok = true;
        let mode = match self.opt_string(f.node, f.ptr(), "Mode").as_deref() {
            None | Some("INLINE") => ProcessorMode::Inline,
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            Some(other) => {
                let m = field(f.node, f.ptr(), "Mode")?;
                self.schema(
                    m.pos(),
                    m.ptr(),
                    format!("Value '{other}' is not one of [INLINE, DISTRIBUTED]"),
                );
                return None;
            }
        };
        ok &= f.node.get("Mode").is_none()
            || f.node
                .get("Mode")
                .is_some_and(|m| m.value.as_str().is_some());
        let execution_type = self.opt_string(f.node, f.ptr(), "ExecutionType");
        if let Some(e) = &execution_type {
            if e != "STANDARD" && e != "EXPRESS" {
                let m = field(f.node, f.ptr(), "ExecutionType")?;
                self.schema(
                    m.pos(),
                    m.ptr(),
                    format!("Value '{e}' is not one of [STANDARD, EXPRESS]"),
                );
                ok = false;
            }
        }
        ok &= execution_type.is_some() || f.node.get("ExecutionType").is_none();
        ok.then_some((mode, execution_type))
    }
}

/// A Map's item processor as read, before the rest of the Map.
pub(super) struct MapProcessor {
    item_processor: Option<Box<StateMachine>>,
    processor_mode: ProcessorMode,
    execution_type: Option<String>,
    ok: bool,
}
