//! com.example.greeter.rust: the greeter interface, version 1.2, in Rust, with no `unsafe`.

use dynload_plugin::{entry, interface, manifest, HostServices, InterfaceRef, Plugin, Table};

manifest!(
    "id = com.example.greeter.rust\n\
     version = 1.2.0\n\
     abi = 1..1\n\
     description = Greets in Rust\n\
     license = Apache-2.0\n\
     provides = com.example.greeter/1.2: greet = str(str); add = i32(i32, i32); farewell = str(str)\n"
);

interface! {
    static GREETER: Greeter = ("com.example.greeter", 1, 2) {
        fn greet(who: &str) -> String { format!("Hello from Rust, {who}!") }
        fn add(a: i32, b: i32) -> i32 { a.wrapping_add(b) }
        fn farewell(who: &str) -> String { format!("Goodbye from Rust, {who}.") }
    }
}

struct Greeting;

impl Plugin for Greeting {
    fn init(host: &HostServices) -> Result<Self, String> {
        host.info(&format!("the Rust greeter is ready, on host {}", host.host_version()));
        Ok(Greeting)
    }

    fn interface(&self, id: &str, major: u32, min_minor: u32) -> Option<InterfaceRef> {
        GREETER.offer(id, major, min_minor)
    }
}

entry!(Greeting);
