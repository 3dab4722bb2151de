package dev.dynload.cli;

/**
 * Every subcommand of {@code dynload}, each named once: {@link Main#commandLine} adds the one a command
 * line names (or all of them for help and typos), and {@link DynloadCommand} lists them from here. A new
 * command is a new class and one constant.
 */
enum Commands {
    CALL("call") {
        @Override
        Object create() {
            return new CallCommand();
        }
    },
    SYMBOLS("symbols") {
        @Override
        Object create() {
            return new SymbolsCommand();
        }
    },
    INFO("info") {
        @Override
        Object create() {
            return new InfoCommand();
        }
    },
    VERIFY("verify") {
        @Override
        Object create() {
            return new VerifyCommand();
        }
    },
    BUNDLE("bundle") {
        @Override
        Object create() {
            return new BundleCommand();
        }
    },
    PLUGINS("plugins") {
        @Override
        Object create() {
            return new PluginsCommand();
        }
    },
    PLUGIN("plugin") {
        @Override
        Object create() {
            return new PluginCommand();
        }
    };

    private final String command;

    Commands(String command) {
        this.command = command;
    }

    /** {@return the name a command line gives it} */
    String command() {
        return command;
    }

    /** {@return a new instance of the command's class, for picocli to fill} */
    abstract Object create();

    /** {@return the names, in the order help lists them: "call, symbols, ..., plugins or plugin"} */
    static String names() {
        StringBuilder b = new StringBuilder();
        Commands[] all = values();
        for (int i = 0; i < all.length; i++) {
            b.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].command);
        }
        return b.toString();
    }
}
