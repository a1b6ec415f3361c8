//! Saved work (`sfn_playground_data::storage`), with the browser's store: localStorage.

pub use sfn_playground_data::storage::*;

/// localStorage through web-sys: the store the app uses in the browser.
#[cfg(target_arch = "wasm32")]
pub mod web {
    use super::{KeyValueStore, StorageError};

    /// The page's localStorage as a [`KeyValueStore`].
    pub struct LocalStorage(web_sys::Storage);

    /// The page's localStorage; `Err` when the browser gives none (disabled by settings).
    pub fn local_storage() -> Result<LocalStorage, StorageError> {
        web_sys::window()
            .ok_or_else(|| StorageError::Unavailable("no window".into()))?
            .local_storage()
            .map_err(|e| StorageError::Unavailable(describe(&e)))?
            .ok_or_else(|| StorageError::Unavailable("localStorage is disabled".into()))
            .map(LocalStorage)
    }

    fn describe(error: &wasm_bindgen::JsValue) -> String {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }

    impl KeyValueStore for LocalStorage {
        fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.0
                .get_item(key)
                .map_err(|e| StorageError::Unavailable(describe(&e)))
        }

        fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
            // Fails with a QuotaExceededError when storage is full.
            self.0
                .set_item(key, value)
                .map_err(|e| StorageError::Unavailable(describe(&e)))
        }
    }
}
