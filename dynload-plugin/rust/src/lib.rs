//! Write a [dynload](https://github.com/) plugin in Rust: the Rust side of `dynload_plugin.h`, ABI 1.
//!
//! A plugin is a `cdylib` that holds a manifest (what the host reads from the file before running any
//! of the plugin's code) and an entry point (through which the host negotiates, and gets the plugin's
//! lifecycle and interface tables). The common case needs no `unsafe`:
//!
//! ```ignore
//! use dynload_plugin::{entry, interface, manifest, HostServices, InterfaceRef, Plugin};
//!
//! manifest!("id = com.example.greeter.rust\n\
//!            version = 1.0.0\n\
//!            abi = 1..1\n\
//!            provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32)\n");
//!
//! interface! {
//!     static GREETER: Greeter = ("com.example.greeter", 1, 2) {
//!         fn greet(who: &str) -> String { format!("Hello from Rust, {who}!") }
//!         fn add(a: i32, b: i32) -> i32 { a + b }
//!     }
//! }
//!
//! struct Greeting;
//! impl Plugin for Greeting {
//!     fn init(host: &HostServices) -> Result<Self, String> { host.info("ready"); Ok(Greeting) }
//!     fn interface(&self, id: &str, major: u32, min_minor: u32) -> Option<InterfaceRef> {
//!         GREETER.offer(id, major, min_minor)
//!     }
//! }
//! entry!(Greeting);
//! ```
//!
//! Ownership and threading follow the header: the host's services may be called from any thread until
//! `destroy`; interface functions may be called from any thread between `init` and `destroy`, so a
//! plugin is `Send + Sync`. A `str` result stays valid until the same thread calls into the plugin
//! again (the host copies it at once). A panic never unwinds into the host: it is caught, logged as an
//! error, and turned into a failure status (for the lifecycle) or a zero result (for a function).

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The ABI versions this crate speaks.
pub const ABI_MIN: u32 = 1;
pub const ABI_MAX: u32 = 1;
/// The minor version of ABI 1 this crate writes: 1.1 added the reload's state handoff
/// ([`Plugin::save`] and [`Plugin::restore`]).
pub const ABI_MINOR: u32 = 1;

/// The manifest's bytes, as `dynload_plugin.h` lays them out: magic, format, length, text and a NUL.
#[repr(C)]
pub struct ManifestBytes<const N: usize> {
    pub magic: [u8; 8],
    pub format: u32,
    pub length: u32,
    pub text: [u8; N],
}

/// Builds the manifest's bytes at compile time; `N` is the text's length plus one (its NUL).
pub const fn manifest_bytes<const N: usize>(text: &str) -> ManifestBytes<N> {
    let bytes = text.as_bytes();
    assert!(bytes.len() + 1 == N, "N must be the text's length plus one");
    assert!(bytes.len() <= 65536, "a manifest holds at most 65536 bytes of text");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i];
        i += 1;
    }
    ManifestBytes { magic: *b"DLPMANI1", format: 1, length: bytes.len() as u32, text: out }
}

/// Defines the plugin's manifest, `dynload_plugin_manifest`, from a string literal in format 1
/// (`key = value` lines; see docs/plugins.md). Once per plugin.
#[macro_export]
macro_rules! manifest {
    ($text:expr) => {
        const __DYNLOAD_PLUGIN_TEXT: &str = $text;
        #[no_mangle]
        #[used]
        #[allow(non_upper_case_globals)]
        pub static dynload_plugin_manifest: $crate::ManifestBytes<{ __DYNLOAD_PLUGIN_TEXT.len() + 1 }> =
            $crate::manifest_bytes(__DYNLOAD_PLUGIN_TEXT);
    };
}

/// `dlp_host`: what the host gives the plugin at init.
#[repr(C)]
pub struct Host {
    pub size: u32,
    pub abi: u32,
    pub host_version: *const c_char,
    pub plugin_id: *const c_char,
    pub log: extern "C" fn(*const Host, i32, *const c_char),
    pub config: extern "C" fn(*const Host, *const c_char) -> *const c_char,
    pub dependency: extern "C" fn(*const Host, *const c_char, u32, u32) -> *const c_void,
    pub alloc: extern "C" fn(usize) -> *mut c_void,
    pub free: extern "C" fn(*mut c_void),
}

/// The host's services, safe to use from any thread until the plugin is destroyed.
pub struct HostServices {
    host: *const Host,
}

// The header makes every host service callable from any thread until destroy.
unsafe impl Send for HostServices {}
unsafe impl Sync for HostServices {}

impl HostServices {
    fn of(host: *const Host) -> Self {
        HostServices { host }
    }

    fn raw(&self) -> &Host {
        // The host keeps the struct valid until destroy, and a plugin holds HostServices no longer.
        unsafe { &*self.host }
    }

    /// The ABI version host and plugin agreed on.
    pub fn abi(&self) -> u32 {
        self.raw().abi
    }

    /// The host application's version.
    pub fn host_version(&self) -> String {
        text(self.raw().host_version).unwrap_or_default()
    }

    /// This plugin's id.
    pub fn plugin_id(&self) -> String {
        text(self.raw().plugin_id).unwrap_or_default()
    }

    /// Writes a message to the host's log at `level` (0 error, 1 warn, 2 info, 3 debug).
    pub fn log(&self, level: i32, message: &str) {
        let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
        (self.raw().log)(self.host, level, c.as_ptr());
    }

    pub fn error(&self, message: &str) {
        self.log(0, message)
    }

    pub fn warn(&self, message: &str) {
        self.log(1, message)
    }

    pub fn info(&self, message: &str) {
        self.log(2, message)
    }

    /// The host's configuration value of `key` for this plugin.
    pub fn config(&self, key: &str) -> Option<String> {
        let k = CString::new(key).ok()?;
        text((self.raw().config)(self.host, k.as_ptr()))
    }

    /// The table of interface `id` at `major` (at least `min_minor`) of a plugin this one requires, as a
    /// raw pointer to a `#[repr(C)]` table; reading it is the caller's `unsafe`.
    pub fn dependency(&self, id: &str, major: u32, min_minor: u32) -> Option<*const c_void> {
        let i = CString::new(id).ok()?;
        let p = (self.raw().dependency)(self.host, i.as_ptr(), major, min_minor);
        if p.is_null() {
            None
        } else {
            Some(p)
        }
    }
}

fn text(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        // The host hands NUL-terminated strings it keeps valid for the call.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

/// What a plugin does over its life. Its methods run on the host's lifecycle thread;
/// [`Plugin::interface`] and the interface functions on any thread.
pub trait Plugin: Send + Sync + Sized + 'static {
    /// Makes the plugin, with the host's services (keep them if needed). An `Err` is logged and the
    /// plugin fails.
    fn init(host: &HostServices) -> Result<Self, String>;

    /// Starts work; the plugins it requires have started. Takes `&self`: [`Plugin::interface`] and the
    /// interface functions may run on other threads meanwhile, so state that changes needs a lock or an
    /// atomic of the plugin's own.
    fn start(&self, _host: &HostServices) -> Result<(), String> {
        Ok(())
    }

    /// Stops work; the plugins that require this one have stopped.
    fn stop(&self, _host: &HostServices) -> Result<(), String> {
        Ok(())
    }

    /// The table of interface `id` at `major`, implementing at least `min_minor`.
    fn interface(&self, id: &str, major: u32, min_minor: u32) -> Option<InterfaceRef>;

    /// On a reload (ABI 1.1): the state to hand to the copy that replaces this one, in a format of the
    /// plugin's own. Runs while no interface call runs in this copy. Only reads: if the reload fails
    /// after it, this copy keeps serving. An `Err` refuses the reload. The default hands over nothing.
    fn save(&self, _host: &HostServices) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }

    /// On a reload (ABI 1.1): the state the replaced copy saved, after [`Plugin::init`] and before
    /// [`Plugin::start`]. It may come from an older or newer build: keep a version in it. An `Err` fails
    /// the reload, and the old copy keeps serving. The default ignores it.
    fn restore(&self, _host: &HostServices, _state: &[u8]) -> Result<(), String> {
        Ok(())
    }

    /// A plugin this one requires, `plugin_id`, was reloaded (ABI 1.1): called only when this plugin's
    /// manifest says `on-dependency-reload = notify`, while no interface call runs in it. Tables taken
    /// from that plugin through [`HostServices::dependency`] are gone: take them again.
    fn dependency_reloaded(&self, _host: &HostServices, _plugin_id: &str) {}
}

/// `dlp_interface`: every interface table starts with it.
#[repr(C)]
pub struct InterfaceHeader {
    pub size: u32,
    pub minor: u32,
}

/// A pointer to an interface table, as [`Plugin::interface`] returns it.
pub struct InterfaceRef(*const InterfaceHeader);

/// A `#[repr(C)]` interface table that starts with an [`InterfaceHeader`] and lives for the whole
/// program; [`interface!`] implements it.
///
/// # Safety
/// The type must be `#[repr(C)]`, start with an `InterfaceHeader` whose `size` is the table's size, and
/// hold only `extern "C"` function pointers after it.
pub unsafe trait Table: Sync + 'static {
    /// The interface's id.
    const ID: &'static str;
    /// Its major version.
    const MAJOR: u32;
    /// The minor version the table implements.
    const MINOR: u32;

    /// This table, when the host asks for `id`/`major` with a minor it implements.
    fn offer(&'static self, id: &str, major: u32, min_minor: u32) -> Option<InterfaceRef> {
        if id == Self::ID && major == Self::MAJOR && min_minor <= Self::MINOR {
            Some(InterfaceRef(self as *const Self as *const InterfaceHeader))
        } else {
            None
        }
    }
}

/// A value C passes to an interface function, as the Rust type the function takes. A borrowed value
/// (`&str`) lives only for the call: `from_c` ties it to a scope the call owns, so a safe function body
/// cannot keep it.
pub trait FromC {
    type C: Copy;
    type Out<'a>;
    fn from_c<'a>(c: Self::C, scope: &'a ()) -> Self::Out<'a>;
}

/// A value an interface function returns, as C receives it; `failed` is what C gets if it panicked.
pub trait IntoC {
    type C: Copy;
    fn into_c(self) -> Self::C;
    fn failed() -> Self::C;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl FromC for $t {
            type C = $t;
            type Out<'a> = $t;
            fn from_c<'a>(c: $t, _scope: &'a ()) -> $t { c }
        }
        impl IntoC for $t {
            type C = $t;
            fn into_c(self) -> $t { self }
            fn failed() -> $t { <$t>::default() }
        }
    )*};
}
plain!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool);

impl IntoC for () {
    type C = ();
    fn into_c(self) {}
    fn failed() {}
}

impl FromC for &str {
    type C = *const c_char;
    type Out<'a> = &'a str;
    fn from_c<'a>(c: *const c_char, _scope: &'a ()) -> &'a str {
        if c.is_null() {
            return "";
        }
        // `str` arguments are NUL-terminated UTF-8 the host keeps valid for the call, and the result
        // lives no longer than the call's scope.
        unsafe { CStr::from_ptr(c) }.to_str().unwrap_or("")
    }
}

/// The most bytes of a `String` result, with its NUL; a longer one is cut at a character boundary.
pub const STR_RESULT_BYTES: usize = 16384;

thread_local! {
    /// The last `str` result of each thread: valid until the thread calls into the plugin again. A plain
    /// array with a constant initialiser, so no destructor is registered for the thread: one would keep
    /// the library loaded (glibc) until every thread that ever called it had exited.
    static LAST_STRING: RefCell<[u8; STR_RESULT_BYTES]> = const { RefCell::new([0; STR_RESULT_BYTES]) };
}

impl IntoC for String {
    type C = *const c_char;
    fn into_c(self) -> *const c_char {
        let bytes = self.as_bytes();
        let mut n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len()).min(STR_RESULT_BYTES - 1);
        while !self.is_char_boundary(n) {
            n -= 1;
        }
        LAST_STRING.with(|last| {
            let mut buffer = last.borrow_mut();
            buffer[..n].copy_from_slice(&bytes[..n]);
            buffer[n] = 0;
            buffer.as_ptr() as *const c_char
        })
    }
    fn failed() -> *const c_char {
        std::ptr::null()
    }
}

/// Runs an interface function's body; a panic gives C `failed()` instead of unwinding into it.
pub fn guard<R: IntoC>(body: impl FnOnce() -> R) -> R::C {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r.into_c(),
        Err(_) => R::failed(),
    }
}

/// Defines an interface table: a `#[repr(C)]` struct with its header and one `extern "C"` function
/// per Rust function, in the order written (the manifest's order), and a static instance of it.
/// Parameter types: the integers, `f32`, `f64`, `bool`, `&str`; results: those, `String` and `()`.
#[macro_export]
macro_rules! interface {
    (
        static $name:ident : $table:ident = ($id:literal, $major:literal, $minor:literal) {
            $( fn $f:ident ( $( $arg:ident : $ty:ty ),* ) $( -> $ret:ty )? $body:block )*
        }
    ) => {
        #[repr(C)]
        #[allow(non_snake_case)]
        pub struct $table {
            header: $crate::InterfaceHeader,
            $( $f: extern "C" fn( $( <$ty as $crate::FromC>::C ),* ) $( -> <$ret as $crate::IntoC>::C )?, )*
        }

        unsafe impl $crate::Table for $table {
            const ID: &'static str = $id;
            const MAJOR: u32 = $major;
            const MINOR: u32 = $minor;
        }

        #[allow(non_snake_case)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(
                pub extern "C" fn $f( $( $arg : <$ty as $crate::FromC>::C ),* ) $( -> <$ret as $crate::IntoC>::C )? {
                    $crate::guard(move || {
                        let scope = ();
                        $( let $arg = <$ty as $crate::FromC>::from_c($arg, &scope); )*
                        $body
                    })
                }
            )*
        }

        pub static $name: $table = $table {
            header: $crate::InterfaceHeader { size: ::std::mem::size_of::<$table>() as u32, minor: $minor },
            $( $f: $name::$f, )*
        };
    };
}

/// `dlp_plugin`: the lifecycle table.
#[repr(C)]
pub struct LifecycleTable {
    pub size: u32,
    pub reserved: u32,
    pub init: extern "C" fn(*const Host, *mut *mut c_void) -> i32,
    pub start: extern "C" fn(*mut c_void) -> i32,
    pub stop: extern "C" fn(*mut c_void) -> i32,
    pub destroy: extern "C" fn(*mut c_void),
    pub get_interface: extern "C" fn(*mut c_void, *const c_char, u32, u32) -> *const InterfaceHeader,
    /// ABI 1.1.
    pub save: extern "C" fn(*mut c_void, *mut *mut c_void, *mut usize) -> i32,
    /// ABI 1.1.
    pub restore: extern "C" fn(*mut c_void, *const c_void, usize) -> i32,
    /// ABI 1.1.
    pub dependency_reloaded: extern "C" fn(*mut c_void, *const c_char),
}

/// `dlp_offer`.
#[repr(C)]
pub struct Offer {
    pub size: u32,
    pub abi_min: u32,
    pub abi_max: u32,
    pub reserved: u32,
    pub host_version: *const c_char,
}

/// `dlp_answer`.
#[repr(C)]
pub struct Answer {
    pub size: u32,
    pub abi: u32,
    pub refusal: *const c_char,
    pub plugin: *const LifecycleTable,
}

/// A plugin's state, as the lifecycle functions pass it: the plugin and its host services.
pub struct State<P> {
    plugin: P,
    host: HostServices,
}

/// The lifecycle functions for a plugin type; [`entry!`] makes its table of them.
pub struct Lifecycle<P>(std::marker::PhantomData<P>);

impl<P: Plugin> Lifecycle<P> {
    pub extern "C" fn init(host: *const Host, state: *mut *mut c_void) -> i32 {
        if host.is_null() || state.is_null() {
            return 2;
        }
        let services = HostServices::of(host);
        match catch_unwind(AssertUnwindSafe(|| P::init(&services))) {
            Ok(Ok(plugin)) => {
                let boxed = Box::new(State { plugin, host: services });
                // The host hands the state back to the other lifecycle functions, then to destroy.
                unsafe { *state = Box::into_raw(boxed) as *mut c_void };
                0
            }
            Ok(Err(why)) => {
                services.error(&why);
                1
            }
            Err(_) => {
                services.error("init panicked");
                1
            }
        }
    }

    fn with_state(state: *mut c_void, step: &str, f: impl FnOnce(&State<P>) -> Result<(), String>) -> i32 {
        if state.is_null() {
            return 2;
        }
        // init made the state; the host passes it back unchanged until destroy. Only shared references
        // are made, since get_interface may run on another thread at the same time.
        let s = unsafe { &*(state as *const State<P>) };
        match catch_unwind(AssertUnwindSafe(|| f(s))) {
            Ok(Ok(())) => 0,
            Ok(Err(why)) => {
                s.host.error(&why);
                1
            }
            Err(_) => {
                s.host.error(&format!("{step} panicked"));
                1
            }
        }
    }

    pub extern "C" fn start(state: *mut c_void) -> i32 {
        Self::with_state(state, "start", |s| s.plugin.start(&s.host))
    }

    pub extern "C" fn stop(state: *mut c_void) -> i32 {
        Self::with_state(state, "stop", |s| s.plugin.stop(&s.host))
    }

    pub extern "C" fn destroy(state: *mut c_void) {
        if !state.is_null() {
            // The last lifecycle call: the state goes back to the Box init made.
            let s = unsafe { Box::from_raw(state as *mut State<P>) };
            let _ = catch_unwind(AssertUnwindSafe(move || drop(s)));
        }
    }

    pub extern "C" fn get_interface(state: *mut c_void, id: *const c_char, major: u32, min_minor: u32)
                                    -> *const InterfaceHeader {
        if state.is_null() {
            return std::ptr::null();
        }
        let s = unsafe { &*(state as *const State<P>) };
        let scope = ();
        let id = <&str as FromC>::from_c(id, &scope);
        match catch_unwind(AssertUnwindSafe(|| s.plugin.interface(id, major, min_minor))) {
            Ok(Some(InterfaceRef(p))) => p,
            _ => std::ptr::null(),
        }
    }

    pub extern "C" fn save(state: *mut c_void, bytes: *mut *mut c_void, length: *mut usize) -> i32 {
        if bytes.is_null() || length.is_null() {
            return 2;
        }
        let mut saved: Vec<u8> = Vec::new();
        let status = Self::with_state(state, "save", |s| {
            saved = s.plugin.save(&s.host)?;
            Ok(())
        });
        if status != 0 {
            return status;
        }
        // The host frees what it gets with its own free: the bytes go into its allocator's memory.
        let s = unsafe { &*(state as *const State<P>) };
        let out = if saved.is_empty() { std::ptr::null_mut() } else { (s.host.raw().alloc)(saved.len()) };
        if !saved.is_empty() && out.is_null() {
            s.host.error("save: the host's allocator is out of memory");
            return 1;
        }
        if !out.is_null() {
            unsafe { std::ptr::copy_nonoverlapping(saved.as_ptr(), out as *mut u8, saved.len()) };
        }
        unsafe {
            *bytes = out;
            *length = saved.len();
        }
        0
    }

    pub extern "C" fn restore(state: *mut c_void, bytes: *const c_void, length: usize) -> i32 {
        let given: &[u8] = if bytes.is_null() || length == 0 {
            &[]
        } else {
            // Host-owned, valid for the call: read only inside it.
            unsafe { std::slice::from_raw_parts(bytes as *const u8, length) }
        };
        Self::with_state(state, "restore", |s| s.plugin.restore(&s.host, given))
    }

    pub extern "C" fn dependency_reloaded(state: *mut c_void, plugin_id: *const c_char) {
        let scope = ();
        let id = <&str as FromC>::from_c(plugin_id, &scope);
        let _ = Self::with_state(state, "dependency_reloaded", |s| {
            s.plugin.dependency_reloaded(&s.host, id);
            Ok(())
        });
    }

    /// The lifecycle table for `P`.
    pub const TABLE: LifecycleTable = LifecycleTable {
        size: std::mem::size_of::<LifecycleTable>() as u32,
        reserved: 0,
        init: Self::init,
        start: Self::start,
        stop: Self::stop,
        destroy: Self::destroy,
        get_interface: Self::get_interface,
        save: Self::save,
        restore: Self::restore,
        dependency_reloaded: Self::dependency_reloaded,
    };
}

/// Negotiates as [`entry!`] does: the highest ABI version both speak, or a refusal.
pub fn negotiate(offer: *const Offer, answer: *mut Answer, table: &'static LifecycleTable) -> i32 {
    if offer.is_null() || answer.is_null() {
        return 2;
    }
    // The host owns both for the call; the plugin writes the answer within its size.
    let (offer, answer) = unsafe { (&*offer, &mut *answer) };
    if (answer.size as usize) < std::mem::size_of::<Answer>() {
        return 2;
    }
    let high = offer.abi_max.min(ABI_MAX);
    let low = offer.abi_min.max(ABI_MIN);
    if high < low {
        answer.abi = 0;
        answer.refusal = c"no ABI version in common with the host".as_ptr();
        return 1;
    }
    answer.abi = high;
    answer.refusal = std::ptr::null();
    answer.plugin = table;
    0
}

/// Defines the entry point, `dynload_plugin_entry`, for a type that implements [`Plugin`].
#[macro_export]
macro_rules! entry {
    ($plugin:ty) => {
        static __DYNLOAD_PLUGIN_LIFECYCLE: $crate::LifecycleTable = $crate::Lifecycle::<$plugin>::TABLE;

        #[no_mangle]
        pub extern "C" fn dynload_plugin_entry(offer: *const $crate::Offer, answer: *mut $crate::Answer) -> i32 {
            $crate::negotiate(offer, answer, &__DYNLOAD_PLUGIN_LIFECYCLE)
        }
    };
}
