//! com.example.rstore: the reload tests' store in Rust, handing its entries to the copy that replaces it
//! (`Plugin::save` and `Plugin::restore`). Its init touches a `thread_local!` whose value has a `Drop`,
//! as many Rust libraries do: glibc then keeps the library mapped after its unload until that thread
//! ends (rust#59629), which the host must say, and survive.

use std::collections::HashMap;
use std::sync::Mutex;

use dynload_plugin::{entry, interface, manifest, HostServices, InterfaceRef, Plugin, Table};

#[cfg(not(feature = "v2"))]
manifest!(
    "id = com.example.rstore\n\
     version = 1.0.0\n\
     abi = 1..1\n\
     provides = com.example.store/1.0: put = i32(i32, i32); get = i32(i32); count = i32(); version = i32(); block = i32()\n"
);
#[cfg(feature = "v2")]
manifest!(
    "id = com.example.rstore\n\
     version = 2.0.0\n\
     abi = 1..1\n\
     provides = com.example.store/1.0: put = i32(i32, i32); get = i32(i32); count = i32(); version = i32(); block = i32()\n"
);

const VERSION: i32 = if cfg!(feature = "v2") { 2 } else { 1 };

static ENTRIES: Mutex<Option<HashMap<i32, i32>>> = Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut HashMap<i32, i32>) -> R) -> R {
    let mut guard = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

interface! {
    static STORE: Store = ("com.example.store", 1, 0) {
        fn put(key: i32, value: i32) -> i32 { with(|m| { m.insert(key, value); }); 0 }
        fn get(key: i32) -> i32 { with(|m| m.get(&key).copied().unwrap_or(-1)) }
        fn count() -> i32 { with(|m| m.len() as i32) }
        fn version() -> i32 { VERSION }
        fn block() -> i32 { VERSION }
    }
}

/// A value with a destructor in thread-local storage: registering it keeps this library mapped.
struct Keeper(u64);

impl Drop for Keeper {
    fn drop(&mut self) {
        self.0 = 0;
    }
}

thread_local! {
    static KEEPER: std::cell::RefCell<Keeper> = std::cell::RefCell::new(Keeper(1));
}

struct RStore;

impl Plugin for RStore {
    fn init(_host: &HostServices) -> Result<Self, String> {
        KEEPER.with(|k| k.borrow_mut().0 += 1);
        Ok(RStore)
    }

    fn interface(&self, id: &str, major: u32, min_minor: u32) -> Option<InterfaceRef> {
        STORE.offer(id, major, min_minor)
    }

    fn save(&self, _host: &HostServices) -> Result<Vec<u8>, String> {
        Ok(with(|m| {
            let mut out = b"RSTORE1".to_vec();
            for (k, v) in m.iter() {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&v.to_le_bytes());
            }
            out
        }))
    }

    fn restore(&self, _host: &HostServices, state: &[u8]) -> Result<(), String> {
        let body = state.strip_prefix(b"RSTORE1").ok_or("the saved store is not RSTORE1")?;
        if body.len() % 8 != 0 {
            return Err("the saved store is cut short".into());
        }
        with(|m| {
            for pair in body.chunks_exact(8) {
                let k = i32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]);
                let v = i32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
                m.insert(k, v);
            }
        });
        Ok(())
    }
}

entry!(RStore);
