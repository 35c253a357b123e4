//! The microphone while a voice note is recorded: the stream from `getUserMedia`, a
//! `MediaRecorder` collecting the bytes, and an analyser for the level meter. Dropping a
//! `Capture` releases the microphone (the browser's recording indicator goes off).
use super::recorder::RecordedVoice;

/// Why recording could not start, in words for the person.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser records
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureError {
    Refused,
    NoMicrophone,
    Busy,
    Insecure,
    Unsupported,
    Other(String),
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser records
impl CaptureError {
    pub fn message(&self) -> String {
        match self {
            CaptureError::Refused => "Microphone access is blocked. Allow it for this site in your browser's settings to record voice messages.".into(),
            CaptureError::NoMicrophone => "No microphone was found.".into(),
            CaptureError::Busy => "The microphone is in use by another app.".into(),
            CaptureError::Insecure => "Voice messages need a secure (https) connection.".into(),
            CaptureError::Unsupported => "This browser cannot record audio.".into(),
            CaptureError::Other(reason) => format!("Could not start recording: {reason}"),
        }
    }

    /// From the name of the `DOMException` that `getUserMedia` rejected with.
    pub fn from_dom_name(name: &str, message: String) -> Self {
        match name {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => CaptureError::Refused,
            "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => CaptureError::NoMicrophone,
            "NotReadableError" | "AbortError" | "TrackStartError" => CaptureError::Busy,
            "NotSupportedError" => CaptureError::Unsupported,
            _ => CaptureError::Other(message),
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{Capture, object_url, revoke_object_url};
#[cfg(not(feature = "hydrate"))]
pub use server::{Capture, object_url, revoke_object_url};

/// On the server nothing records; these keep the recorder's code the same in both builds.
#[cfg(not(feature = "hydrate"))]
mod server {
    use super::{CaptureError, RecordedVoice};

    pub struct Capture;

    impl Capture {
        pub async fn open() -> Result<Capture, CaptureError> {
            Err(CaptureError::Unsupported)
        }
        pub fn elapsed_ms(&self) -> u32 {
            0
        }
        pub fn level(&self) -> f32 {
            0.0
        }
        pub async fn finish(self) -> Option<RecordedVoice> {
            None
        }
        pub fn cancel(self) {}
    }

    pub fn object_url(_: &RecordedVoice) -> String {
        String::new()
    }

    pub fn revoke_object_url(_: &str) {}
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc};

    use js_sys::{Array, Promise};
    use wasm_bindgen::{JsCast, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AnalyserNode, AudioContext, Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamConstraints, MediaStreamTrack};

    use super::{super::logic::{MAX_RECORDING_MS, MIME_PREFERENCES, level_of}, CaptureError, RecordedVoice};

    pub struct Capture {
        stream: MediaStream,
        recorder: MediaRecorder,
        /// The level meter; recording works without it if the audio graph cannot be made.
        meter: Option<(AudioContext, AnalyserNode)>,
        chunks: Rc<RefCell<Vec<Blob>>>,
        _on_data: Closure<dyn FnMut(BlobEvent)>,
        started_at: f64,
        released: bool,
    }

    fn now() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    fn dom_error(e: wasm_bindgen::JsValue) -> CaptureError {
        match e.dyn_ref::<web_sys::DomException>() {
            Some(ex) => CaptureError::from_dom_name(&ex.name(), ex.message()),
            None => CaptureError::Other(e.as_string().unwrap_or_else(|| "unknown error".into())),
        }
    }

    fn stop_tracks(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
    }

    impl Capture {
        /// Asks for the microphone (the browser may ask the person first) and starts recording.
        pub async fn open() -> Result<Capture, CaptureError> {
            let window = web_sys::window().ok_or(CaptureError::Unsupported)?;
            if !window.is_secure_context() {
                return Err(CaptureError::Insecure);
            }
            let devices = window.navigator().media_devices().map_err(|_| CaptureError::Unsupported)?;
            if !js_sys::Reflect::has(&window, &"MediaRecorder".into()).unwrap_or(false) {
                return Err(CaptureError::Unsupported);
            }
            let constraints = MediaStreamConstraints::new();
            constraints.set_audio_bool(true);
            let asked = devices.get_user_media_with_constraints(&constraints).map_err(dom_error)?;
            let stream: MediaStream = JsFuture::from(asked).await.map_err(dom_error)?.unchecked_into();

            let options = MediaRecorderOptions::new();
            if let Some(mime) = MIME_PREFERENCES.into_iter().find(|m| MediaRecorder::is_type_supported(m)) {
                options.set_mime_type(mime);
            }
            let recorder = match MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options) {
                Ok(r) => r,
                Err(e) => {
                    stop_tracks(&stream);
                    return Err(dom_error(e));
                }
            };
            let chunks = Rc::new(RefCell::new(Vec::new()));
            let on_data = {
                let chunks = chunks.clone();
                Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
                    if let Some(data) = e.data().filter(|d| d.size() > 0.0) {
                        chunks.borrow_mut().push(data);
                    }
                })
            };
            recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
            let meter = level_meter(&stream);
            let mut capture = Capture { stream, recorder, meter, chunks, _on_data: on_data, started_at: 0.0, released: false };
            capture.recorder.start().map_err(dom_error)?;
            capture.started_at = now();
            Ok(capture)
        }

        /// How long it has been recording.
        pub fn elapsed_ms(&self) -> u32 {
            (now() - self.started_at).clamp(0.0, f64::from(u32::MAX)) as u32
        }

        /// The microphone's loudness now, 0.0 to 1.0.
        pub fn level(&self) -> f32 {
            let Some((_, analyser)) = &self.meter else { return 0.0 };
            let mut samples = vec![128u8; analyser.fft_size() as usize];
            analyser.get_byte_time_domain_data(&mut samples);
            level_of(&samples)
        }

        /// Stops, waits for the last bytes and releases the microphone.
        pub async fn finish(mut self) -> Option<RecordedVoice> {
            let duration_ms = self.elapsed_ms().min(MAX_RECORDING_MS);
            let stopped = Promise::new(&mut |resolve, _| self.recorder.set_onstop(Some(&resolve)));
            if self.recorder.stop().is_ok() {
                let _ = JsFuture::from(stopped).await;
            }
            self.recorder.set_onstop(None);
            self.release();
            let mime = Some(self.recorder.mime_type())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| MIME_PREFERENCES[0].to_owned());
            let parts: Array = self.chunks.borrow().iter().collect();
            let bag = BlobPropertyBag::new();
            bag.set_type(&mime);
            let blob = Blob::new_with_blob_sequence_and_options(&parts, &bag).ok()?;
            (blob.size() > 0.0).then_some(RecordedVoice { blob, mime, duration_ms })
        }

        /// Throws the recording away and releases the microphone.
        pub fn cancel(mut self) {
            self.release();
        }

        fn release(&mut self) {
            if std::mem::replace(&mut self.released, true) {
                return;
            }
            self.recorder.set_ondataavailable(None);
            let _ = self.recorder.stop();
            stop_tracks(&self.stream);
            if let Some((context, _)) = self.meter.take() {
                if let Ok(closing) = context.close() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = JsFuture::from(closing).await;
                    });
                }
            }
        }
    }

    impl Drop for Capture {
        fn drop(&mut self) {
            self.release();
        }
    }

    /// An analyser fed by the microphone (not connected to the speakers: no echo).
    fn level_meter(stream: &MediaStream) -> Option<(AudioContext, AnalyserNode)> {
        let context = AudioContext::new().ok()?;
        let made = (|| {
            let source = context.create_media_stream_source(stream).ok()?;
            let analyser = context.create_analyser().ok()?;
            analyser.set_fft_size(512);
            source.connect_with_audio_node(&analyser).ok()?;
            Some(analyser)
        })();
        match made {
            Some(analyser) => {
                // Made after an await, the context may start suspended.
                let _ = context.resume();
                Some((context, analyser))
            }
            None => {
                let _ = context.close();
                None
            }
        }
    }

    /// A `blob:` URL for listening to a recording before sending it.
    pub fn object_url(voice: &RecordedVoice) -> String {
        web_sys::Url::create_object_url_with_blob(&voice.blob).unwrap_or_default()
    }

    pub fn revoke_object_url(url: &str) {
        if !url.is_empty() {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_apart() {
        assert_eq!(CaptureError::from_dom_name("NotAllowedError", String::new()), CaptureError::Refused);
        assert_eq!(CaptureError::from_dom_name("NotFoundError", String::new()), CaptureError::NoMicrophone);
        assert_eq!(CaptureError::from_dom_name("NotReadableError", String::new()), CaptureError::Busy);
        assert_eq!(CaptureError::from_dom_name("TypeError", "bad".into()).message(), "Could not start recording: bad");
        assert!(CaptureError::Refused.message().contains("Allow it"));
    }
}
