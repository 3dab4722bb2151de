package bad;

import dev.dynload.bind.LibraryInterface;

/** A sealed interface, which dynload cannot implement. */
@LibraryInterface
public sealed interface Sealed permits Sealed.Open { //! bad.Sealed is sealed, so dynload cannot implement it; bind an interface that is not sealed (a sealed one may extend it)
    non-sealed interface Open extends Sealed {
    }

    int abs(int x);
}
