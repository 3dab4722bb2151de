/* Hand-written JNI for dev.dynload.bench.Jni: the way native calls were made before FFM. */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct { double x; double y; } vec2;
int32_t bench_noop(void);
int32_t bench_add(int32_t a, int32_t b);
double bench_mul(double a, double b);
const char *bench_greet(void);
size_t bench_strlen(const char *s);
int64_t bench_sum(const int64_t *values, size_t n);
double bench_dot(vec2 a, vec2 b);

JNIEXPORT jint JNICALL Java_dev_dynload_bench_Jni_noop(JNIEnv *env, jclass c) { return bench_noop(); }
JNIEXPORT jint JNICALL Java_dev_dynload_bench_Jni_add(JNIEnv *env, jclass c, jint a, jint b) { return bench_add(a, b); }
JNIEXPORT jdouble JNICALL Java_dev_dynload_bench_Jni_mul(JNIEnv *env, jclass c, jdouble a, jdouble b) { return bench_mul(a, b); }
JNIEXPORT jstring JNICALL Java_dev_dynload_bench_Jni_greet(JNIEnv *env, jclass c) {
    return (*env)->NewStringUTF(env, bench_greet());
}
JNIEXPORT jlong JNICALL Java_dev_dynload_bench_Jni_strlen(JNIEnv *env, jclass c, jstring s) {
    const char *utf = (*env)->GetStringUTFChars(env, s, NULL);
    jlong n = (jlong) bench_strlen(utf);
    (*env)->ReleaseStringUTFChars(env, s, utf);
    return n;
}
JNIEXPORT jlong JNICALL Java_dev_dynload_bench_Jni_sum(JNIEnv *env, jclass c, jlongArray values) {
    jsize n = (*env)->GetArrayLength(env, values);
    jlong *elements = (*env)->GetPrimitiveArrayCritical(env, values, NULL);
    jlong s = bench_sum((const int64_t *) elements, (size_t) n);
    (*env)->ReleasePrimitiveArrayCritical(env, values, elements, JNI_ABORT);
    return s;
}
JNIEXPORT jdouble JNICALL Java_dev_dynload_bench_Jni_dot(JNIEnv *env, jclass c, jdouble ax, jdouble ay, jdouble bx, jdouble by) {
    vec2 a = { ax, ay };
    vec2 b = { bx, by };
    return bench_dot(a, b);
}

/* qsort with a Java comparator: each comparison calls back into Java through JNI. */
static JNIEnv *sort_env;
static jobject sort_comparator;
static jmethodID sort_compare;
static int compare_through_java(const void *a, const void *b) {
    return (*sort_env)->CallIntMethod(sort_env, sort_comparator, sort_compare, *(const jint *) a, *(const jint *) b);
}
JNIEXPORT void JNICALL Java_dev_dynload_bench_Jni_qsort(JNIEnv *env, jclass c, jintArray values, jobject comparator) {
    jsize n = (*env)->GetArrayLength(env, values);
    jint *copy = malloc(sizeof(jint) * (size_t) (n ? n : 1));
    (*env)->GetIntArrayRegion(env, values, 0, n, copy);
    sort_env = env;
    sort_comparator = comparator;
    sort_compare = (*env)->GetMethodID(env, (*env)->GetObjectClass(env, comparator), "compare", "(II)I");
    qsort(copy, (size_t) n, sizeof(jint), compare_through_java);
    (*env)->SetIntArrayRegion(env, values, 0, n, copy);
    free(copy);
}
