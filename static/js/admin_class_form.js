'use strict';
// The class form: choosing a course shows its trade, level and hours under it (sent with the
// lookup's results, zhangwan/admin_site.py) and gives the class the course's title if it has none.
(function($) {
    $(function() {
        $('#id_course').on('select2:select', function(event) {
            const course = event.params.data;
            const facts = document.getElementById('course-facts');
            if (facts && course.facts) {
                facts.textContent = course.facts;
            }
            const title = document.getElementById('id_title');
            if (title && !title.value && course.title) {
                title.value = course.title;
            }
        });
    });
})(django.jQuery);
