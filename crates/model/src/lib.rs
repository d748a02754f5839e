//! Faultline's shared vocabulary.
//!
//! Every other crate speaks in these types: parsers turn bytes into
//! [`LogRecord`]s, [`Change`]s, [`SupportMessage`]s and [`Alert`]s and push
//! them into an [`EventSink`]; the [`time`] module turns whatever a file wrote
//! into UTC; the correlator produces an [`Analysis`], which exporters and the
//! desktop render.
#![deny(missing_docs)]

pub mod analysis;
pub mod case;
pub mod clock;
pub mod error_class;
pub mod event;
pub mod explain;
pub mod intern;
pub mod lanes;
pub mod novelty;
pub mod sink;
pub mod time;

pub use analysis::*;
pub use case::*;
pub use clock::{ClockMethod, ClockSuggestion};
pub use error_class::ErrorClass;
pub use event::*;
pub use explain::*;
pub use intern::Interner;
pub use lanes::{Lane, LaneItem, LaneKind, LaneMark};
pub use novelty::{Novelty, NoveltyItem, UnobservedSource};
pub use sink::{CollectingSink, EventSink, OwnedRecord, SinkError};
