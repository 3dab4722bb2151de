package bad;

import dev.dynload.bind.LibraryInterface;

/** A class, where bind takes an interface. */
@LibraryInterface
public abstract class NotAnInterface { //! bad.NotAnInterface is not an interface; bind takes an interface whose methods mirror the C functions
    public abstract int abs(int x);
}
